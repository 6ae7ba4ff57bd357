package audit

import (
	"encoding/base64"
	"strconv"
	"strings"

	"dsn"
)

// AuditEvent renders a journal entry as a FHIR R4 AuditEvent
// (auditevent.html): type rest with the interaction as subtype, the action
// code, the agent (who, role, establishment, address), the patient and
// every resource shown, written or refused as entities, the purpose of use,
// and the break-the-glass reason. Its id is the entry's Seq. Of an entry
// naming several records (Entry.Patients), a.Patient says which to show: the
// one SearchAudit was asked for (the citizen's view shows their part only),
// else every record with its resources.
func AuditEvent(a dsn.AuditEntry) (map[string]any, error) {
	e, err := Decode(a)
	if err != nil {
		return nil, err
	}
	parts := e.Split()
	if len(e.Patients) > 0 && a.Patient != "" && !strings.Contains(a.Patient, " ") {
		if x, ok := e.For(a.Patient); ok {
			parts = []Entry{x}
		}
	}
	ev := map[string]any{
		"resourceType": "AuditEvent",
		"id":           strconv.FormatInt(a.Seq, 10),
		"type":         coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"),
		"action":       actionCode(e),
		"recorded":     dsn.FormatInstant(e.Time),
		"outcome":      outcomeCode(e),
		"source": map[string]any{"observer": map[string]any{"display": "DSN"},
			"type": []any{coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")}},
	}
	if e.Establishment != "" {
		ev["source"].(map[string]any)["site"] = e.Establishment
	}
	if e.Interaction != "" {
		ev["subtype"] = []any{coding("http://hl7.org/fhir/restful-interaction", e.Interaction, e.Interaction)}
	}
	if e.Outcome != "" {
		ev["outcomeDesc"] = e.Outcome
	}
	if e.Purpose != "" {
		ev["purposeOfEvent"] = []any{map[string]any{"coding": []any{coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", e.Purpose, "")}}}
	}
	agent := map[string]any{"requestor": true, "altId": e.Agent, "name": e.Name}
	if e.Practitioner != "" {
		agent["who"] = map[string]any{"reference": "Practitioner/" + e.Practitioner, "display": e.Name}
	} else {
		agent["who"] = map[string]any{"display": firstNonEmpty(e.Name, e.Agent)}
	}
	if e.Role != "" {
		agent["type"] = map[string]any{"text": e.Role}
	}
	if e.Remote != "" {
		host := e.Remote
		if i := strings.LastIndex(host, ":"); i > 0 {
			host = host[:i]
		}
		agent["network"] = map[string]any{"address": host, "type": "2"}
	}
	if e.Reason != "" {
		agent["purposeOfUse"] = []any{map[string]any{"text": e.Reason}}
	}
	ev["agent"] = []any{agent}
	var ents []any
	for _, x := range parts {
		if x.Patient != "" {
			ents = append(ents, map[string]any{"what": map[string]any{"reference": "Patient/" + x.Patient},
				"type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"),
				"role": coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient")})
		}
		for _, r := range x.Resources {
			ents = append(ents, map[string]any{"what": map[string]any{"reference": r},
				"type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object")})
		}
		for _, r := range x.Denied {
			ents = append(ents, map[string]any{"what": map[string]any{"reference": r}, "description": "refusé", "_description": inEnglish("refused"),
				"type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object")})
		}
	}
	if e.Query != "" {
		ents = append(ents, map[string]any{"query": base64.StdEncoding.EncodeToString([]byte(e.Query)),
			"type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
			"role": coding("http://terminology.hl7.org/CodeSystem/object-role", "24", "Query")})
	}
	if len(ents) > 0 {
		ev["entity"] = ents
	}
	return ev, nil
}

// inEnglish is the JSON of a primitive's extensions giving its English in
// the R4 translation extension (extension-translation.html): the French
// string stays, a reader in English finds its English beside it.
func inEnglish(en string) map[string]any {
	return map[string]any{"extension": []any{map[string]any{"url": "http://hl7.org/fhir/StructureDefinition/translation",
		"extension": []any{map[string]any{"url": "lang", "valueCode": "en"}, map[string]any{"url": "content", "valueString": en}}}}}
}

func coding(system, code, display string) map[string]any {
	c := map[string]any{"system": system, "code": code}
	if display != "" {
		c["display"] = display
	}
	return c
}

// actionCode is the AuditEvent.action of an entry (C R U D E).
func actionCode(e Entry) string {
	switch {
	case e.Method == "POST" && e.Action == "write" && !strings.Contains(e.Interaction, "search"):
		return "C"
	case e.Method == "PUT" || e.Method == "PATCH":
		return "U"
	case e.Method == "DELETE":
		return "D"
	case e.Action == "break-glass" || e.Action == "token" || e.Action == "revoke" || e.Action == "launch" || e.Interaction == "operation":
		return "E"
	}
	return "R"
}

// outcomeCode: 0 success, 4 minor failure (a refusal), 8 serious failure.
func outcomeCode(e Entry) string {
	switch {
	case e.Status >= 500:
		return "8"
	case e.Status >= 400 || e.Action == "denied":
		return "4"
	}
	return "0"
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
