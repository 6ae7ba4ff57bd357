package authapi

import (
	"strings"

	"dsn/access"
)

// The consent page's sentences for the scopes an app will get, in each
// language: the same structure (reading, then writing, on lines of their
// own; the identity and lasting access), the words in scopeLang. Levels
// (app-launch/scopes-and-launch-context.html): patient/ = one record (the
// citizen's own, or the patient chosen), user/ = every record the user may
// see; system/ never reaches this page.

// scopeLang holds one language's words for scopeWords.
type scopeLang struct {
	resources map[string]string // resource type → noun phrase with its article
	otherType string            // a type not in resources: otherType + the FHIR name
	own       [][2]string       // leading article → possessive (a citizen's own record)
	wholeOwn  string            // patient/*.* of a citizen
	chosen    string            // after the noun: the patient chosen (staff, patient/)
	every     string            // after the noun: every record (user/)
	read      string            // "Lire " + noun
	verbs     [3]string         // create, update, delete
	and       string            // between the last two verbs
	writeIn   string            // verbs + writeIn + noun
	identity  string            // openid, fhirUser, profile
	offline   string            // offline_access
	online    string            // online_access
}

var scopeLangs = map[lang]scopeLang{
	fr: {
		resources: map[string]string{
			"*": "l'ensemble du dossier", "Patient": "l'identité et les coordonnées", "Observation": "les résultats de laboratoire et signes vitaux",
			"Condition": "les problèmes de santé et diagnostics", "MedicationRequest": "les ordonnances de médicaments",
			"MedicationStatement": "la liste des médicaments", "AllergyIntolerance": "les allergies et intolérances",
			"Immunization": "la vaccination", "Encounter": "les visites et hospitalisations", "Procedure": "les interventions",
			"DiagnosticReport": "les rapports d'examens", "DocumentReference": "les documents", "Consent": "les consentements et restrictions",
			"Practitioner": "le répertoire des intervenants", "Organization": "le répertoire des établissements",
			"CarePlan": "les plans de soins", "ServiceRequest": "les demandes d'examens et de services", "AuditEvent": "le journal des accès",
		},
		otherType: "les ressources ",
		own:       [][2]string{{"les ", "vos "}, {"la ", "votre "}, {"le ", "votre "}, {"l'", "votre "}},
		wholeOwn:  "votre dossier au complet",
		chosen:    " du dossier de l'usager choisi",
		every:     " de tous les dossiers auxquels vous avez accès",
		read:      "Lire ",
		verbs:     [3]string{"ajouter", "modifier", "supprimer"},
		and:       " et ",
		writeIn:   " des éléments dans ",
		identity:  "Connaître votre nom et votre identité d'utilisateur",
		offline:   "Garder l'accès après votre déconnexion, jusqu'à 30 jours sans vous le redemander",
		online:    "Garder l'accès pendant votre session (12 heures au plus)",
	},
	en: {
		resources: map[string]string{
			"*": "the whole record", "Patient": "the identity and contact details", "Observation": "the laboratory results and vital signs",
			"Condition": "the health problems and diagnoses", "MedicationRequest": "the medication prescriptions",
			"MedicationStatement": "the medication list", "AllergyIntolerance": "the allergies and intolerances",
			"Immunization": "the immunizations", "Encounter": "the visits and hospital stays", "Procedure": "the procedures",
			"DiagnosticReport": "the test reports", "DocumentReference": "the documents", "Consent": "the consents and restrictions",
			"Practitioner": "the directory of practitioners", "Organization": "the directory of establishments",
			"CarePlan": "the care plans", "ServiceRequest": "the test and service requests", "AuditEvent": "the access log",
		},
		otherType: "the resources ",
		own:       [][2]string{{"the ", "your "}},
		wholeOwn:  "your whole record",
		chosen:    " of the chosen patient's record",
		every:     " of every record you have access to",
		read:      "Read ",
		verbs:     [3]string{"add", "change", "delete"},
		and:       " and ",
		writeIn:   " items in ",
		identity:  "Know your name and your user identity",
		offline:   "Keep access after you sign out, for up to 30 days without asking you again",
		online:    "Keep access during your session (12 hours at most)",
	},
}

// scopeWords writes the scopes the app will get as sentences in w's
// language, reading and writing on lines of their own.
func scopeWords(sc access.Scopes, citizen bool, w scopeLang) []string {
	var out []string
	for _, s := range sc.Resources {
		what := w.resources[s.Type]
		if what == "" {
			what = w.otherType + s.Type
		}
		switch {
		case s.Context == "patient" && citizen && s.Type == "*":
			what = w.wholeOwn
		case s.Context == "patient" && citizen:
			what = ownWords(what, w.own)
		case s.Context == "patient":
			what += w.chosen
		default:
			what += w.every
		}
		if s.Perms&(access.PermRead|access.PermSearch) != 0 {
			out = append(out, w.read+what)
		}
		var verbs []string
		for i, p := range []access.Perm{access.PermCreate, access.PermUpdate, access.PermDelete} {
			if s.Perms&p != 0 {
				verbs = append(verbs, w.verbs[i])
			}
		}
		if len(verbs) > 0 {
			list := verbs[0]
			if n := len(verbs); n > 1 {
				list = strings.Join(verbs[:n-1], ", ") + w.and + verbs[n-1]
			}
			out = append(out, strings.ToUpper(list[:1])+list[1:]+w.writeIn+what)
		}
	}
	for _, o := range sc.Other {
		switch o {
		case "openid", "fhirUser", "profile":
			if !containsWord(out, w.identity) {
				out = append(out, w.identity)
			}
		case "offline_access":
			out = append(out, w.offline)
		case "online_access":
			out = append(out, w.online)
		}
	}
	return out
}

// ownWords turns "les résultats" into "vos résultats" (a citizen's own
// record): the leading article only.
func ownWords(what string, articles [][2]string) string {
	for _, a := range articles {
		if rest, ok := strings.CutPrefix(what, a[0]); ok {
			return a[1] + rest
		}
	}
	return what
}

func containsWord(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
