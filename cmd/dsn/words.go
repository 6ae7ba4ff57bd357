package main

import (
	"errors"
	"strings"

	"dsn"
	"dsn/internal/language/words"
)

// The command line speaks French, or English when DSN_LANG says so
// (DSN_LANG=en; decision 0032, amended). Only DSN_LANG is read: LANG, set
// by the machine's locale, says nothing of its operator's language.
// `dsn import --lang` takes DSN_LANG as its default.

// cliLang is the language of the command line: English when DSN_LANG
// begins with "en" (en, en_CA.UTF-8), French otherwise.
func cliLang(env Env) words.Tag {
	if env.Getenv != nil && strings.HasPrefix(strings.ToLower(env.Getenv("DSN_LANG")), "en") {
		return words.English
	}
	return words.French
}

// cliWords are the command line's refusals, one-line errors, progress
// lines and confirmations, in French and in English, by id (every id has both, with the same
// arguments: TestCLIWordsBothLanguages).
var cliWords = map[string]words.Text{
	"unknown-command":        {FR: "dsn : commande inconnue %q (voir dsn help)", EN: "dsn: unknown command %q (see dsn help)"},
	"no-records":             {FR: "le magasin %T ne garde pas les registres d'accès", EN: "the store %T keeps no access records"},
	"journal.token":          {FR: "journal des accès indisponible, jeton refusé", EN: "access journal unavailable, token refused"},
	"journal.revoke":         {FR: "révocation faite, mais journal des accès indisponible", EN: "revoked, but the access journal is unavailable"},
	"journal.consent":        {FR: "autorisation retirée, mais journal des accès indisponible", EN: "authorisation withdrawn, but the access journal is unavailable"},
	"journal.export":         {FR: "journal des accès indisponible, export refusé", EN: "access journal unavailable, export refused"},
	"journal.export-gone":    {FR: "journal des accès indisponible, export retiré", EN: "access journal unavailable, export removed"},
	"addr":                   {FR: "--addr %q : HÔTE:PORT attendu", EN: "--addr %q: expected HOST:PORT"},
	"tls-pair":               {FR: "--tls-cert et --tls-key vont ensemble", EN: "--tls-cert and --tls-key go together"},
	"access-off":             {FR: "--access off : seulement avec une --addr de boucle locale (127.0.0.1, ::1, localhost), pas %q", EN: "--access off: only with a loopback --addr (127.0.0.1, ::1, localhost), not %q"},
	"access":                 {FR: "--access %q : on ou off attendu", EN: "--access %q: expected on or off"},
	"demo.rejected":          {FR: "chargement de la démo : %d ressources rejetées, la première : %s", EN: "loading the demo: %d resources rejected, first: %s"},
	"demo.account":           {FR: "compte de démo %s", EN: "demo account %s"},
	"export.outdir":          {FR: "dsn export : un répertoire de sortie OUTDIR attendu", EN: "dsn export: an output directory OUTDIR expected"},
	"export.since":           {FR: "--since %q : instant RFC 3339 attendu (2026-01-02T15:04:05Z)", EN: "--since %q: RFC 3339 instant expected (2026-01-02T15:04:05Z)"},
	"export.client":          {FR: "--client %s : client inconnu", EN: "--client %s: unknown client"},
	"no-export-jobs":         {FR: "le magasin ne garde pas de tâches d'export", EN: "the store keeps no export jobs"},
	"no-import-jobs":         {FR: "le magasin ne garde pas de tâches d'import", EN: "the store keeps no import jobs"},
	"mpi.usage":              {FR: "dsn mpi : report, link ou config attendu (dsn mpi report --out pairs.ndjson | dsn mpi link | dsn mpi config)", EN: "dsn mpi: report, link or config expected (dsn mpi report --out pairs.ndjson | dsn mpi link | dsn mpi config)"},
	"mpi.loaded":             {FR: "index chargé : %d inscriptions, %d dossiers provinciaux (%s)", EN: "index loaded: %d registrations, %d provincial records (%s)"},
	"mpi.requeued":           {FR: "%d inscriptions remises en file", EN: "%d registrations queued again"},
	"mpi.pairs":              {FR: "%d paires au-dessus de %.1f bits (balayage complet en %s)", EN: "%d pairs above %.1f bits (full scan in %s)"},
	"profile":                {FR: "profil CPU", EN: "CPU profile"},
	"reindex.type":           {FR: "--type %q : type de ressource inconnu", EN: "--type %q: unknown resource type"},
	"reindex.unsupported":    {FR: "ce magasin (%s) ne sait pas réindexer", EN: "this store (%s) cannot reindex"},
	"reindex.progress":       {FR: "reindex : %d ressources…", EN: "reindex: %d resources…"},
	"listen":                 {FR: "écoute sur %s impossible", EN: "cannot listen on %s"},
	"shutdown":               {FR: "arrêt", EN: "shutdown"},
	"audit.broken":           {FR: "journal NON INTÈGRE à l'entrée %d: %s (%d entrées vérifiées avant)", EN: "journal NOT INTACT at entry %d: %s (%d entries verified before)"},
	"client.unknown":         {FR: "client %s inconnu", EN: "unknown client %s"},
	"client.id":              {FR: "--id attendu (le client_id)", EN: "--id expected (the client_id)"},
	"user.username":          {FR: "--username attendu", EN: "--username expected"},
	"token.user":             {FR: "--user est requis", EN: "--user is required"},
	"token.ttl":              {FR: "--ttl doit être entre 1s et 12h", EN: "--ttl must be between 1s and 12h"},
	"token.disabled":         {FR: "compte %s désactivé", EN: "account %s disabled"},
	"token.scopes":           {FR: "le rôle %s n'accorde aucune des portées demandées (%s)", EN: "the role %s grants none of the scopes asked for (%s)"},
	"revoke.stdin":           {FR: "jeton attendu sur l'entrée standard (ou --jti ID)", EN: "token expected on standard input (or --jti ID)"},
	"revoke.unknown":         {FR: "jeton inconnu, invalide, expiré ou déjà révoqué: rien à révoquer", EN: "unknown, invalid, expired or already revoked token: nothing to revoke"},
	"consent.flags":          {FR: "--username attendu (et --client pour withdraw)", EN: "--username expected (and --client for withdraw)"},
	"consent.user":           {FR: "utilisateur %s inconnu", EN: "unknown user %s"},
	"audit.period":           {FR: "--from et --to: deux dates AAAA-MM-JJ, --from avant --to", EN: "--from and --to: two dates YYYY-MM-DD, --from before --to"},
	"export.systems":         {FR: "l'export en bloc est réservé aux systèmes (client_credentials, portées system/)", EN: "bulk export is for systems only (client_credentials, system/ scopes)"},
	"export.no-requester":    {FR: "export %s sans demandeur connu: refusé", EN: "export %s without a known requester: refused"},
	"export.scopes":          {FR: "portées de l'export illisibles: %v", EN: "unreadable export scopes: %v"},
	"export.client-gone":     {FR: "export arrêté: le client %s qui l'a demandé n'existe plus ou a été supprimé", EN: "export stopped: the client %s that asked for it no longer exists or was deleted"},
	"export.client-disabled": {FR: "export arrêté: le client %s qui l'a demandé a été désactivé", EN: "export stopped: the client %s that asked for it was disabled"},
	"fhirpath.var":           {FR: "--var attend nom=valeur JSON", EN: "--var expects name=JSON value"},
	"fhirpath.valueset":      {FR: "%s n'est pas un ValueSet", EN: "%s is not a ValueSet"},
	"mpi.model":              {FR: "modèle d'appariement %s illisible: %v", EN: "unreadable matching model %s: %v"},
	"mpi.threshold":          {FR: "--threshold: probable, certain ou un nombre de bits, reçu %q", EN: "--threshold: probable, certain or a number of bits, got %q"},
	"store.db":               {FR: "--db %s: URL postgres://… attendue", EN: "--db %s: postgres://… URL expected"},
	"client.disabled":        {FR: "client %s (%s) désactivé: ses jetons sont refusés par tout serveur sur ce dépôt, ses exports en cours s'arrêtent", EN: "client %s (%s) disabled: its tokens are refused by every server on this store, its running exports stop"},
	"client.enabled":         {FR: "client %s (%s) réactivé: ses jetons révoqués le restent", EN: "client %s (%s) enabled again: its revoked tokens stay revoked"},
	"client.trusted":         {FR: "client %s (%s) de confiance: ses utilisateurs ne voient pas la page d'autorisation", EN: "client %s (%s) trusted: its users do not see the authorisation page"},
	"client.untrusted":       {FR: "client %s (%s) n'est plus de confiance: ses utilisateurs autorisent l'application à la connexion", EN: "client %s (%s) no longer trusted: its users authorise the application at sign-in"},
	"client.deleted":         {FR: "client %s (%s) supprimé: ses jetons sont refusés par tout serveur sur ce dépôt; le journal garde son nom", EN: "client %s (%s) deleted: its tokens are refused by every server on this store; the journal keeps its name"},
	"user.enabled":           {FR: "compte %s réactivé: ses jetons révoqués le restent", EN: "account %s enabled again: its revoked tokens stay revoked"},
	"user.disabled":          {FR: "compte %s désactivé: ses jetons sont refusés par tout serveur sur ce dépôt", EN: "account %s disabled: its tokens are refused by every server on this store"},
	"revoked.access":         {FR: "jeton d'accès %s révoqué: refusé par tout serveur sur ce dépôt dès sa prochaine requête", EN: "access token %s revoked: refused by every server on this store from its next request"},
	"revoked.family":         {FR: "jeton d'accès %s et toute sa lignée (%s, jetons de rafraîchissement compris) révoqué: refusé par tout serveur sur ce dépôt dès sa prochaine requête", EN: "access token %s and its whole lineage (%s, refresh tokens included) revoked: refused by every server on this store from its next request"},
	"revoked.refresh":        {FR: "jeton de rafraîchissement et toute sa lignée (%s) révoqué: refusé par tout serveur sur ce dépôt dès sa prochaine requête", EN: "refresh token and its whole lineage (%s) revoked: refused by every server on this store from its next request"},
	"consent.withdrawn":      {FR: "autorisation de %s à l'application %s retirée: ses jetons sont refusés", EN: "authorisation of %s to the application %s withdrawn: its tokens are refused"},
	"audit.intact":           {FR: "journal intègre: %d entrées, %d points de contrôle signés vérifiés (%s, %.0f entrées/min)", EN: "journal intact: %d entries, %d signed checkpoints verified (%s, %.0f entries/min)"},
	"mpi.linked":             {FR: "%d inscriptions liées (%s)", EN: "%d registrations linked (%s)"},
	"reindex.done":           {FR: "%d ressources réindexées en %s", EN: "%d resources reindexed in %s"},
	"export.done":            {FR: "%d ressources en %d fichiers dans %s (manifest.json)", EN: "%d resources in %d files in %s (manifest.json)"},
	"synth.done":             {FR: "%d ressources pour %d personnes écrites dans %s (%.1f s) — DÉMO – données fictives", EN: "%d resources for %d people written to %s (%.1f s) — DEMO – fictitious data"},
	"migrate.done":           {FR: "schéma à jour (%s)", EN: "schema up to date (%s)"},
	"demo.title":             {FR: "DSN — Dossier santé numérique · DÉMO – données fictives", EN: "DSN — Dossier santé numérique (digital health record) · DEMO – fictitious data"},
	"demo.seeded":            {FR: "  Population synthétique chargée : %d ressources (%s)", EN: "  Synthetic population loaded: %d resources (%s)"},
	"demo.reused":            {FR: "  Magasin existant réutilisé (%s)", EN: "  Existing store reused (%s)"},
	"demo.health":            {FR: "  Santé :        http://%s/healthz", EN: "  Health:        http://%s/healthz"},
	"demo.discovery":         {FR: "  Découverte :   http://%s/fhir/.well-known/smart-configuration", EN: "  Discovery:     http://%s/fhir/.well-known/smart-configuration"},
	"demo.example":           {FR: "Exemple :", EN: "Example: "},
	"demo.progress":          {FR: "  génération et chargement : %d/%d usagers (%d ressources)", EN: "  generating and loading: %d/%d people (%d resources)"},
	"demo.accounts":          {FR: "  Comptes de démonstration (mot de passe : %s) :", EN: "  Demo accounts (password: %s):"},
	"demo.token":             {FR: "  Jeton d'accès (15 min) pour curl :", EN: "  Access token (15 min) for curl:"},
	"demo.token12h":          {FR: "  ou ce jeton de dre.demo, valide 12 h :", EN: "  or this token of dre.demo, valid 12 h:"},
	"demo.stop":              {FR: "  Ctrl-C pour arrêter.", EN: "  Ctrl-C to stop."},
	"synth.ref-date":         {FR: "--ref-date %q : AAAA-MM-JJ attendu", EN: "--ref-date %q: expected YYYY-MM-DD"},
}

// cliFail is a dsn.Error of kind k saying the sentence id of cliWords in
// both languages: the command line prints it in its language, and an HTTP
// answer (an export job's refusal) in the request's.
func cliFail(op string, k dsn.Kind, id string, args ...any) *dsn.Error {
	t := cliWords[id].Format(args...)
	return &dsn.Error{Op: op, Kind: k, Msg: t.FR, English: t.EN}
}

// sayIn is the sentence id of cliWords in l.
func sayIn(l words.Tag, id string, args ...any) string {
	return cliWords[id].Format(args...).In(l)
}

// say is the sentence id of cliWords in the command line's language.
func say(env Env, id string, args ...any) string {
	return cliWords[id].Format(args...).In(cliLang(env))
}

// cliError is a one-line error of the command line in both languages; run
// prints it in the command line's language. Its cause, if any, follows
// after ": " (a dsn.Error's message in that language, else its own text).
type cliError struct {
	t     words.Text
	cause error
}

// refusal is the cliWords sentence id as an error.
func refusal(id string, args ...any) error {
	return &cliError{t: cliWords[id].Format(args...)}
}

// refusalOf is refusal followed by cause.
func refusalOf(cause error, id string, args ...any) error {
	return &cliError{t: cliWords[id].Format(args...), cause: cause}
}

func (e *cliError) Error() string { return e.in(words.French) }
func (e *cliError) Unwrap() error { return e.cause }

func (e *cliError) in(l words.Tag) string {
	if e.cause == nil {
		return e.t.In(l)
	}
	sep := " : " // French typography
	if l == words.English {
		sep = ": "
	}
	return e.t.In(l) + sep + oneLine(e.cause, l)
}

// oneLine gives the user message of err in l; an internal cause shows as it
// is (its text is for the logs, in no particular language).
func oneLine(err error, l words.Tag) string {
	var ce *cliError
	var de *dsn.Error
	switch {
	case errors.As(err, &ce) && ce == err:
		return ce.in(l)
	case errors.As(err, &de) && de.Kind != dsn.KindInternal && l == words.English:
		return dsn.EnglishMessage(err)
	case errors.As(err, &de) && de.Kind != dsn.KindInternal:
		return dsn.Message(err)
	}
	return err.Error()
}
