package repo

import (
	"strings"

	"dsn"
)

// rewriteRefs replaces, everywhere inside res, references to other entries'
// fullUrls (urn:uuid:… or absolute) by the Type/id they were given, and
// conditional references ("Patient?identifier=s|v") by the one resource they
// select (http.html#trules, #cond-update "conditional references"). Narrative
// div text that mentions a urn:uuid fullUrl is rewritten too.
func (s *Service) rewriteRefs(tx reader, res any, ids map[string]string) error {
	switch t := res.(type) {
	case map[string]any:
		for k, v := range t {
			str, isStr := v.(string)
			switch {
			case isStr && k == "reference":
				nv, err := s.resolveRef(tx, str, ids)
				if err != nil {
					return err
				}
				t[k] = nv
			case isStr && k == "div" && strings.Contains(str, "urn:uuid:"):
				t[k] = rewriteText(str, ids)
			case !isStr:
				if err := s.rewriteRefs(tx, v, ids); err != nil {
					return err
				}
			}
		}
	case []any:
		for _, v := range t {
			if err := s.rewriteRefs(tx, v, ids); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolveRef gives the new value of one Reference.reference.
func (s *Service) resolveRef(tx reader, ref string, ids map[string]string) (string, error) {
	if target, ok := ids[ref]; ok {
		return target, nil
	}
	if strings.HasPrefix(ref, "urn:uuid:") || strings.HasPrefix(ref, "urn:oid:") {
		return ref, nil // a reference outside the Bundle stays as the client wrote it
	}
	typ, query, ok := strings.Cut(ref, "?")
	if !ok || !s.isType(typ) {
		return ref, nil
	}
	crit, err := parseCriteria("repo.Bundle", query)
	if err != nil {
		return "", err
	}
	found, err := s.matchOne(tx, "repo.Bundle", typ, crit)
	if err != nil {
		return "", err
	}
	if found == nil {
		// http.html#trules: no match fails the transaction, like several matches.
		return "", fail("repo.Bundle", dsn.KindPrecondition, "cond.reference-none", ref)
	}
	return typ + "/" + found.ID, nil
}

// rewriteText replaces urn:uuid fullUrls mentioned in narrative XHTML.
func rewriteText(s string, ids map[string]string) string {
	for from, to := range ids {
		if strings.HasPrefix(from, "urn:uuid:") && strings.Contains(s, from) {
			s = strings.ReplaceAll(s, from, to)
		}
	}
	return s
}
