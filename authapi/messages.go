package authapi

import (
	"strings"

	"dsn"
)

// The words of the authorisation pages, by message id, in French and in
// English (language.go chooses). Every id has both
// (TestMessagesBothLanguages). An error sentence may hold {detail}: the
// message of the error (of package access, which speaks both languages:
// dsn.Error.English) in the same language.
var messages = map[string]map[lang]string{
	"lang.name": {fr: "Français", en: "English"},
	"site.name": {fr: "Dossier santé numérique", en: "Digital health record"},

	// sign-in (login.go)
	"login.title":     {fr: "Connexion — DSN", en: "Sign in — DSN"},
	"login.app":       {fr: "L'application", en: "The app"},
	"login.asks":      {fr: "demande l'accès :", en: "asks for access:"},
	"login.iam":       {fr: "Je suis", en: "I am"},
	"login.staff":     {fr: "membre du personnel", en: "a staff member"},
	"login.citizen":   {fr: "usager (citoyen)", en: "a patient (citizen)"},
	"login.username":  {fr: "Nom d'utilisateur", en: "Username"},
	"login.password":  {fr: "Mot de passe", en: "Password"},
	"login.submit":    {fr: "Se connecter", en: "Sign in"},
	"login.federated": {fr: "Se connecter avec", en: "Sign in with"},

	// patient picker (launch.go)
	"picker.title":    {fr: "Choix de l'usager — DSN", en: "Choose the patient — DSN"},
	"picker.heading":  {fr: "Choisir l'usager", en: "Choose the patient"},
	"picker.app":      {fr: ", l'application", en: ", the app"},
	"picker.opens":    {fr: "s'ouvrira sur le dossier de l'usager choisi.", en: "will open on the record of the patient you choose."},
	"picker.only":     {fr: "Seuls les usagers auxquels vous avez accès sont affichés ; chaque recherche est journalisée.", en: "Only the patients you have access to are shown; every search is logged."},
	"picker.name":     {fr: "Nom", en: "Name"},
	"picker.nam":      {fr: "NAM", en: "Health insurance number (NAM)"},
	"picker.birth":    {fr: "Date de naissance", en: "Date of birth"},
	"picker.search":   {fr: "Rechercher", en: "Search"},
	"picker.count":    {fr: "usager(s)", en: "patient(s)"},
	"picker.refine":   {fr: " — précisez la recherche pour en voir d'autres", en: " — refine the search to see others"},
	"picker.col.nam":  {fr: "NAM", en: "NAM"},
	"picker.col.born": {fr: "Naissance", en: "Born"},
	"picker.col.sex":  {fr: "Sexe", en: "Sex"},
	"picker.choose":   {fr: "Choisir", en: "Choose"},
	"picker.none":     {fr: "Aucun usager trouvé parmi ceux auxquels vous avez accès.", en: "No patient found among those you have access to."},

	// consent (consent.go)
	"consent.title":    {fr: "Autoriser l'application — DSN", en: "Allow the app — DSN"},
	"consent.heading":  {fr: "Autoriser l'application ?", en: "Allow the app?"},
	"consent.app":      {fr: ", l'application", en: ", the app"},
	"consent.asks":     {fr: "demande à :", en: "asks to:"},
	"consent.record":   {fr: "Dossier concerné :", en: "Record concerned:"},
	"consent.withdraw": {fr: "Vous pourrez retirer cette autorisation en tout temps ; l'application perdra alors l'accès.", en: "You may withdraw this permission at any time; the app will then lose its access."},
	"consent.allow":    {fr: "Autoriser", en: "Allow"},
	"consent.deny":     {fr: "Refuser", en: "Deny"},

	// errors
	"error.title":           {fr: "Demande refusée — DSN", en: "Request refused — DSN"},
	"error.request":         {fr: "Demande d'autorisation refusée : {detail}", en: "Authorization request refused: {detail}"},
	"error.form":            {fr: "Formulaire illisible.", en: "Unreadable form."},
	"error.csrf":            {fr: "Requête refusée : jeton anti-falsification (CSRF) absent ou invalide. Rechargez la page de connexion.", en: "Request refused: anti-forgery (CSRF) token missing or invalid. Reload the sign-in page."},
	"error.consent_session": {fr: "{detail}", en: "{detail}"},
	"error.picker_session":  {fr: "{detail}", en: "{detail}"},
	"error.fed_unreachable": {fr: "Le fournisseur d'identité est injoignable. Réessayez ou connectez-vous avec votre mot de passe.", en: "The identity provider cannot be reached. Try again or sign in with your password."},
	"error.fed_refused":     {fr: "Connexion fédérée refusée : {detail}", en: "Federated sign-in refused: {detail}"},
	"error.bad_password":    {fr: "Nom d'utilisateur ou mot de passe invalide.", en: "Invalid username or password."},
	"error.throttled":       {fr: "{detail}", en: "{detail}"},
	"error.patient_hidden":  {fr: "Cet usager est introuvable ou vous n'y avez pas accès.", en: "This patient cannot be found or you do not have access."},
	"error.criteria":        {fr: "Indiquez au moins un critère : nom, NAM ou date de naissance.", en: "Give at least one criterion: name, NAM or date of birth."},
	"error.nam":             {fr: "NAM invalide : quatre lettres et huit chiffres (p. ex. ABCD12345678).", en: "Invalid NAM: four letters and eight digits (e.g. ABCD12345678)."},
	"error.birth":           {fr: "Date de naissance invalide : AAAA-MM-JJ.", en: "Invalid date of birth: YYYY-MM-DD."},
	"error.name_long":       {fr: "Nom trop long (100 caractères au plus).", en: "Name too long (100 characters at most)."},
	"error.search_failed":   {fr: "La recherche a échoué ; réessayez.", en: "The search failed; try again."},

	// JSON answers (error_description, RFC 6749 §5.2) and error redirects to apps (§4.1.2.1);
	// {detail} is the message of the error in the same language
	"json.client_unknown":          {fr: "client inconnu ou désactivé", en: "unknown or disabled client"},
	"json.detail":                  {fr: "{detail}", en: "{detail}"},
	"json.keys":                    {fr: "clés indisponibles", en: "keys unavailable"},
	"json.internal":                {fr: "erreur interne", en: "internal error"},
	"json.form":                    {fr: "formulaire illisible", en: "unreadable form"},
	"json.grant_type":              {fr: "grant_type non pris en charge", en: "unsupported grant_type"},
	"json.token_missing":           {fr: "paramètre token manquant", en: "token parameter missing"},
	"json.trusted_only":            {fr: "réservé aux applications de confiance (le portail) : une application tierce ne voit pas les autres", en: "for trusted apps only (the portal): a third-party app does not see the others"},
	"json.client_id_missing":       {fr: "paramètre client_id manquant", en: "client_id parameter missing"},
	"json.own_consent":             {fr: "une application ne retire que sa propre autorisation ; les autres, depuis le portail", en: "an app withdraws only its own authorization; the others, from the portal"},
	"json.bearer":                  {fr: "jeton d'accès requis (Authorization: Bearer)", en: "access token required (Authorization: Bearer)"},
	"json.users_only":              {fr: "réservé aux utilisateurs", en: "for users only"},
	"json.launch_staff":            {fr: "le lancement depuis le dossier est réservé au personnel et aux systèmes", en: "launching from the record is for staff and systems only"},
	"json.launch_off":              {fr: "lancement non configuré", en: "launch not configured"},
	"json.launch_not_found":        {fr: "usager ou rencontre introuvable", en: "patient or encounter not found"},
	"json.same_origin":             {fr: "requête JSON de la même origine attendue", en: "a same-origin JSON request expected"},
	"json.sign_in_first":           {fr: "connectez-vous d'abord (jeton d'accès d'un utilisateur)", en: "sign in first (a user's access token)"},
	"json.registration_unreadable": {fr: "réponse d'enregistrement illisible", en: "unreadable registration response"},
	"json.registration_refused":    {fr: "enregistrement de la clé refusé", en: "key registration refused"},
	"json.account":                 {fr: "compte inconnu ou désactivé", en: "unknown or disabled account"},
	"json.body":                    {fr: "corps JSON illisible", en: "unreadable JSON body"},
	"json.request_unreadable":      {fr: "demande d'autorisation illisible", en: "unreadable authorization request"},
	"json.no_passkey":              {fr: "aucune clé d'accès pour ce compte", en: "no passkey for this account"},
	"json.assertion_unreadable":    {fr: "réponse d'authentification illisible", en: "unreadable authentication response"},
	"json.passkey_refused":         {fr: "clé d'accès refusée", en: "passkey refused"},
	"json.request_invalid":         {fr: "demande d'autorisation invalide", en: "invalid authorization request"},
	"redirect.denied":              {fr: "l'utilisateur a refusé l'accès à l'application", en: "the user denied the app access"},
	"redirect.unverified":          {fr: "identité externe non vérifiée", en: "external identity not verified"},
	"redirect.launch_param":        {fr: "la portée launch exige le paramètre launch (lancement depuis le dossier)", en: "the launch scope requires the launch parameter (launch from the record)"},
	"redirect.launch_scope":        {fr: "le paramètre launch exige la portée launch", en: "the launch parameter requires the launch scope"},
	"redirect.aud":                 {fr: "aud ne désigne pas ce serveur FHIR", en: "aud does not name this FHIR server"},
	"json.request_invalid_detail":  {fr: "demande d'autorisation invalide: {detail}", en: "invalid authorization request: {detail}"},
	"redirect.idp_refused":         {fr: "le fournisseur d'identité a refusé: {detail}", en: "the identity provider refused: {detail}"},
}

// errorOf is an error of kind saying message id, in both languages.
func errorOf(op string, kind dsn.Kind, id string) *dsn.Error {
	return &dsn.Error{Op: op, Kind: kind, Msg: fr.text(id), English: en.text(id)}
}

// errorText is the sentence of error id in l with its detail.
func errorText(l lang, id, detail string) string {
	return strings.ReplaceAll(l.text(id), "{detail}", detail)
}
