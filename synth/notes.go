package synth

import (
	"fmt"
	"strings"
	"time"
)

// Short French notes assembled from the facts the generator drew, so they agree
// with the structured data.

func antecedents(p *person) string {
	if len(p.conditions) == 0 {
		return "aucun antécédent significatif"
	}
	var names []string
	for _, k := range p.conditions {
		names = append(names, strings.ToLower(conditionByKey(k).display[:1])+conditionByKey(k).display[1:])
	}
	return strings.Join(names, ", ")
}

func sexWord(p *person) string {
	if p.female {
		return "Femme"
	}
	return "Homme"
}

func edNote(p *person, reason string, level int, stretcher bool) string {
	where := "aire ambulatoire"
	if stretcher {
		where = "civière"
	}
	return fmt.Sprintf("%s de %d ans, ÉTG %d (%s), installé(e) sur %s.\nMotif : %s.\nAntécédents : %s.\n"+
		"Examen et investigation selon le motif. Conduite : suivi avec le médecin de famille; revenir si aggravation.\n"+
		"DÉMO – données fictives.", sexWord(p), p.age, level, ctasNames[level], where, strings.ToLower(reason), antecedents(p))
}

func dischargeNote(p *person, reason string, los time.Duration) string {
	return fmt.Sprintf("Résumé de départ — %s de %d ans hospitalisé(e) %d jour(s).\nMotif d'admission : %s.\n"+
		"Antécédents : %s.\nÉvolution favorable. Retour à domicile; bilan de contrôle en externe.\nDÉMO – données fictives.",
		sexWord(p), p.age, int(los.Hours()/24), strings.ToLower(reason), antecedents(p))
}

func visitNote(p *person) string {
	return fmt.Sprintf("Suivi de %s. Patient(e) de %d ans, se dit bien. Médication revue, renouvelée. "+
		"Prochain rendez-vous dans 6 mois.\nDÉMO – données fictives.", antecedents(p), p.age)
}

func homeCareNote(p *person) string {
	return fmt.Sprintf("Visite à domicile (SAD) : signes vitaux pris, médication vérifiée au pilulier, "+
		"aucun signe de décompensation. Conditions suivies : %s.\nDÉMO – données fictives.", antecedents(p))
}
