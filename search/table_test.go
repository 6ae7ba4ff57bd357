package search

import (
	"strings"

	"dsn"
)

// testDefs is a slice of the R4 search parameters (copied from the official
// SearchParameter resources) so that extraction and parsing are tested on their
// own, independently of the generated tables of package fhir.
var testDefs = map[string]map[string]def{
	"Patient": defs(
		"active token Patient.active",
		"birthdate date Patient.birthDate | Person.birthDate | RelatedPerson.birthDate",
		"death-date date (Patient.deceased as dateTime)",
		"deceased token Patient.deceased.exists() and Patient.deceased != false",
		"family string Patient.name.family | Practitioner.name.family",
		"given string Patient.name.given | Practitioner.name.given",
		"name string Patient.name",
		"address string Patient.address | Person.address",
		"address-city string Patient.address.city | Person.address.city",
		"gender token Patient.gender | Person.gender",
		"identifier token Patient.identifier",
		"email token Patient.telecom.where(system='email') | Person.telecom.where(system='email')",
		"phone token Patient.telecom.where(system='phone') | Person.telecom.where(system='phone')",
		"general-practitioner reference Patient.generalPractitioner",
		"organization reference Patient.managingOrganization",
		"link reference Patient.link.other",
		"mothersMaidenName string Patient.extension('http://hl7.org/fhir/StructureDefinition/patient-extensions-Patient-mothersMaidenName')",
		"age number ",
		"_id token Resource.id",
		"_lastUpdated date Resource.meta.lastUpdated",
		"_tag token Resource.meta.tag",
		"_profile uri Resource.meta.profile",
	),
	"Observation": defs(
		"code token Condition.code | Observation.code | Procedure.code",
		"category token Observation.category",
		"status token Observation.status",
		"subject reference Observation.subject",
		"patient reference Condition.subject.where(resolve() is Patient) | Observation.subject.where(resolve() is Patient)",
		"performer reference Observation.performer",
		"encounter reference Composition.encounter | Observation.encounter",
		"date date Encounter.period | Observation.effective | Procedure.performed",
		"value-quantity quantity (Observation.value as Quantity) | (Observation.value as SampledData)",
		"value-concept token (Observation.value as CodeableConcept)",
		"value-string string (Observation.value as string) | (Observation.value as CodeableConcept).text",
		"value-date date (Observation.value as dateTime) | (Observation.value as Period)",
		"combo-code token Observation.code | Observation.component.code",
		"component-value-quantity quantity (Observation.component.value as Quantity)",
		"identifier token Observation.identifier",
		"code-value-quantity composite Observation",
		"_id token Resource.id",
	),
	"Encounter": defs(
		"subject reference Encounter.subject",
		"patient reference Encounter.subject.where(resolve() is Patient)",
		"date date Encounter.period",
		"class token Encounter.class",
		"length quantity Encounter.length",
	),
	"Condition": defs(
		"onset-date date Condition.onset.as(dateTime) | Condition.onset.as(Period)",
		"onset-age quantity Condition.onset.as(Age) | Condition.onset.as(Range)",
		"code token Condition.code",
		"subject reference Condition.subject",
		"patient reference Condition.subject.where(resolve() is Patient)",
	),
	"MedicationRequest": defs(
		"date date MedicationRequest.dosageInstruction.timing.event",
		"medication reference (MedicationRequest.medication as Reference)",
		"code token (MedicationRequest.medication as CodeableConcept)",
		"subject reference MedicationRequest.subject",
		"patient reference MedicationRequest.subject.where(resolve() is Patient)",
	),
	"RiskAssessment": defs("probability number RiskAssessment.prediction.probability"),
	"Claim":          defs("total quantity Claim.total"),
	"ValueSet":       defs("url uri ValueSet.url"),
}

var testCompartment = map[string][]string{
	"Observation":       {"subject", "performer"},
	"Encounter":         {"patient"},
	"Condition":         {"patient"},
	"MedicationRequest": {"subject"},
}

// defs reads lines "code type expression".
func defs(lines ...string) map[string]def {
	m := map[string]def{}
	for _, l := range lines {
		f := strings.SplitN(l, " ", 3)
		m[f[0]] = def{Code: f[0], Type: dsn.ParamType(f[1]), Expression: f[2]}
	}
	return m
}

func init() {
	targets := map[string]map[string][]string{
		"Observation": {"subject": {"Group", "Device", "Patient", "Location"}, "patient": {"Patient"}},
	}
	for rt, m := range targets {
		for code, tg := range m {
			d := testDefs[rt][code]
			d.Targets = tg
			testDefs[rt][code] = d
		}
	}
}

func newTestRegistry() *registry {
	return &registry{
		params:      func(t string) map[string]def { return testDefs[t] },
		compartment: func(t string) []string { return testCompartment[t] },
		model:       r4Model{},
	}
}
