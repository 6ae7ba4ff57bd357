package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"dsn"
	"dsn/access"
	"dsn/fhir"
	"dsn/internal/language/words"
	"dsn/synth"
)

// DemoPassword is the password of every demo account (synthetic data only).
const DemoPassword = "demo-dsn-2026"

// demoAccount is one account the demo creates and prints.
type demoAccount struct {
	Username, Label string
	User            access.NewUser
}

// demoAccounts picks, in the generated population, a family physician and
// one of their patients (the citizen), so that the physician's care
// relationship with the citizen's record is real; the nurse is assigned to
// that patient's nearest emergency department.
func demoAccounts(g *synth.Generator) []demoAccount {
	var patient, gp, org string
	var units []string
	for i := 0; i < g.Options().Patients && gp == ""; i++ {
		p := g.Person(i)
		pat := p.Resources[0]
		gps, ok := pat["generalPractitioner"].([]any)
		if !ok {
			continue
		}
		patient = fhir.ID(pat)
		gp = strings.TrimPrefix(gps[0].(map[string]any)["reference"].(string), "Practitioner/")
		for _, r := range p.Resources {
			if fhir.ResourceType(r) == "Encounter" {
				if org == "" {
					if so, ok := r["serviceProvider"].(map[string]any); ok {
						org, _ = so["reference"].(string)
					}
				}
				for _, l := range asList(r["location"]) {
					ref := locationRef(l)
					if id := strings.TrimPrefix(ref, "Location/"); strings.HasSuffix(id, "-urgence") && len(units) == 0 {
						units = append(units, id)
					}
				}
			}
		}
	}
	for i := 0; i < min(g.Options().Patients, 300) && len(units) == 0; i++ {
		for _, r := range g.Person(i).Resources {
			for _, l := range asList(r["location"]) {
				ref := locationRef(l)
				if id := strings.TrimPrefix(ref, "Location/"); strings.HasSuffix(id, "-urgence") && len(units) == 0 {
					units = append(units, id)
				}
			}
		}
	}
	org = strings.TrimPrefix(org, "Organization/")
	if org == "" {
		org = "ciusss-mcq"
	}
	return []demoAccount{
		{"dre.demo", "médecin de famille", access.NewUser{Username: "dre.demo", Name: "Dre Démo (médecin de famille)", Role: access.RolePhysician,
			Establishment: org, Practitioner: gp, Missions: []string{"CH", "CLSC"}}},
		{"inf.demo", "infirmière à l'urgence", access.NewUser{Username: "inf.demo", Name: "Infirmière Démo", Role: access.RoleNurse,
			Establishment: org, Missions: []string{"CH"}, Locations: units}},
		{"archiviste.demo", "archiviste médicale", access.NewUser{Username: "archiviste.demo", Name: "Archiviste Démo", Role: access.RoleArchivist, Establishment: org}},
		{"prp.demo", "responsable de la protection des renseignements", access.NewUser{Username: "prp.demo", Name: "Responsable PRP Démo",
			Role: access.RolePrivacyOfficer, Establishment: org}},
		{"citoyen.demo", "usager (dossier " + patient + ")", access.NewUser{Username: "citoyen.demo", Name: "Usager Démo", Role: access.RoleCitizen, Patient: patient}},
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

// locationRef reads Encounter.location[].location.reference.
func locationRef(v any) string {
	m, _ := v.(map[string]any)
	loc, _ := m["location"].(map[string]any)
	ref, _ := loc["reference"].(string)
	return ref
}

// ensureDemoAccounts creates the demo accounts that do not exist yet.
func ensureDemoAccounts(ctx context.Context, svc *access.Service, accounts []demoAccount) error {
	for _, a := range accounts {
		a.User.Password = DemoPassword
		if _, err := svc.CreateUser(ctx, a.User); err != nil && dsn.KindOf(err) != dsn.KindConflict {
			return refusalOf(err, "demo.account", a.Username)
		}
	}
	return nil
}

// printDemoAccounts shows the accounts and how to call the API with them.
func printDemoAccounts(ctx context.Context, w io.Writer, l words.Tag, svc *access.Service, accounts []demoAccount, addr, storeFlag string) {
	fmt.Fprintln(w, sayIn(l, "demo.accounts", DemoPassword))
	for _, a := range accounts {
		fmt.Fprintf(w, "    %-16s %s\n", a.Username, a.Label)
	}
	fmt.Fprintln(w, sayIn(l, "demo.token"))
	fmt.Fprintf(w, "    export TOKEN=$(go run ./cmd/dsn token %s--user dre.demo)\n", storeFlag)
	fmt.Fprintf(w, "    curl -H \"Authorization: Bearer $TOKEN\" http://%s/fhir/Patient/%s/\\$everything\n", addr, accounts[len(accounts)-1].User.Patient)
	if tok, err := userToken(ctx, svc, "dre.demo", "", 12*time.Hour); err == nil {
		fmt.Fprintf(w, "%s\n    export TOKEN=%s\n", sayIn(l, "demo.token12h"), tok)
	}
}
