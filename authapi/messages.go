package authapi

import "strings"

// The words of the authorisation pages, by message id, in French and in
// English (language.go chooses). Every id has both
// (TestMessagesBothLanguages). A French error sentence may hold {detail}:
// the message of package access, which speaks French; the English sentence
// says the same without it.
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
	"error.request":         {fr: "Demande d'autorisation refusée : {detail}", en: "Authorization request refused: unknown app or unregistered return address."},
	"error.form":            {fr: "Formulaire illisible.", en: "Unreadable form."},
	"error.csrf":            {fr: "Requête refusée : jeton anti-falsification (CSRF) absent ou invalide. Rechargez la page de connexion.", en: "Request refused: anti-forgery (CSRF) token missing or invalid. Reload the sign-in page."},
	"error.consent_session": {fr: "{detail}", en: "Unknown, expired or already answered authorization request: start again from the app."},
	"error.picker_session":  {fr: "{detail}", en: "Unknown or expired patient choice: sign in again."},
	"error.fed_unreachable": {fr: "Le fournisseur d'identité est injoignable. Réessayez ou connectez-vous avec votre mot de passe.", en: "The identity provider cannot be reached. Try again or sign in with your password."},
	"error.fed_refused":     {fr: "Connexion fédérée refusée : {detail}", en: "Federated sign-in refused: unknown, used or expired request. Start again from the app."},
	"error.bad_password":    {fr: "Nom d'utilisateur ou mot de passe invalide.", en: "Invalid username or password."},
	"error.throttled":       {fr: "{detail}", en: "Too many failed sign-ins: try again in a few minutes."},
	"error.patient_hidden":  {fr: "Cet usager est introuvable ou vous n'y avez pas accès.", en: "This patient cannot be found or you do not have access."},
	"error.criteria":        {fr: "Indiquez au moins un critère : nom, NAM ou date de naissance.", en: "Give at least one criterion: name, NAM or date of birth."},
	"error.nam":             {fr: "NAM invalide : quatre lettres et huit chiffres (p. ex. ABCD12345678).", en: "Invalid NAM: four letters and eight digits (e.g. ABCD12345678)."},
	"error.birth":           {fr: "Date de naissance invalide : AAAA-MM-JJ.", en: "Invalid date of birth: YYYY-MM-DD."},
	"error.name_long":       {fr: "Nom trop long (100 caractères au plus).", en: "Name too long (100 characters at most)."},
	"error.search_failed":   {fr: "La recherche a échoué ; réessayez.", en: "The search failed; try again."},
}

// errorText is the sentence of error id in l, French ones with access's
// detail.
func errorText(l lang, id, detail string) string {
	return strings.ReplaceAll(l.text(id), "{detail}", detail)
}
