package authapi

import (
	"reflect"
	"testing"

	"dsn/access"
)

// The consent page's sentences for each level and permission set.
func TestScopeWords(t *testing.T) {
	for _, tc := range []struct {
		scope   string
		citizen bool
		want    []string
	}{
		{"patient/Observation.rs", true, []string{"Lire vos résultats de laboratoire et signes vitaux"}},
		{"patient/Immunization.r", true, []string{"Lire votre vaccination"}},
		{"patient/*.rs", true, []string{"Lire votre dossier au complet"}},
		{"patient/Condition.cruds", false, []string{"Lire les problèmes de santé et diagnostics du dossier de l'usager choisi",
			"Ajouter, modifier et supprimer des éléments dans les problèmes de santé et diagnostics du dossier de l'usager choisi"}},
		{"user/Observation.c openid fhirUser", false, []string{"Ajouter des éléments dans les résultats de laboratoire et signes vitaux de tous les dossiers auxquels vous avez accès",
			"Connaître votre nom et votre identité d'utilisateur"}},
		{"user/Basic.r offline_access", false, []string{"Lire les ressources Basic de tous les dossiers auxquels vous avez accès",
			"Garder l'accès après votre déconnexion, jusqu'à 30 jours sans vous le redemander"}},
	} {
		if got := scopeWords(access.MustScopes(tc.scope), tc.citizen, scopeLangs[fr]); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("scopeWords(%q, %v) = %q, want %q", tc.scope, tc.citizen, got, tc.want)
		}
	}
}
