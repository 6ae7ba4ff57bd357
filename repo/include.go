package repo

import (
	"fmt"
	"net/url"
	"strings"

	"dsn"
	"dsn/fhir"
)

// maxIncluded bounds the resources _include and _revinclude add to one page.
const maxIncluded = 1000

// includes answers _include and _revinclude (search.html#include) for one page
// of matches: _include=Source:param[:Target] reads the resources the matches
// reference through param (from their index rows, so exactly what search
// sees; "*" for every reference); _revinclude=Source:param searches Source
// resources whose param references a match. :iterate is not supported.
func (s *Service) includes(r reader, matches []dsn.Resource, params url.Values) ([]dsn.Resource, []dsn.Issue) {
	seen := map[string]bool{}
	for _, m := range matches {
		seen[m.Type+"/"+m.ID] = true
	}
	var out []dsn.Resource
	var issues []dsn.Issue
	add := func(res dsn.Resource) {
		if k := res.Type + "/" + res.ID; !seen[k] && len(out) < maxIncluded {
			seen[k] = true
			out = append(out, res)
		}
	}
	for key, vals := range params {
		name, mod, _ := strings.Cut(key, ":")
		if name != "_include" && name != "_revinclude" {
			continue
		}
		if mod != "" {
			issues = append(issues, warning(fmt.Sprintf("%s non pris en charge (ignoré)", key)))
			continue
		}
		for _, v := range vals {
			var err error
			if name == "_include" {
				err = s.include(r, matches, v, add)
			} else {
				err = s.revinclude(r, matches, v, add)
			}
			if err != nil {
				issues = append(issues, warning(fmt.Sprintf("%s=%s ignoré: %v", name, v, err)))
			}
		}
	}
	return out, issues
}

func (s *Service) include(r reader, matches []dsn.Resource, spec string, add func(dsn.Resource)) error {
	parts := strings.Split(spec, ":")
	if len(parts) < 2 || len(parts) > 3 || !s.isType(parts[0]) {
		return fmt.Errorf("forme attendue Type:paramètre[:Cible]")
	}
	src, param, target := parts[0], parts[1], ""
	if len(parts) == 3 {
		target = parts[2]
	}
	if p, ok := fhir.SearchParams(src)[param]; param != "*" && (!ok || p.Type != dsn.ParamReference) {
		return fmt.Errorf("%s n'est pas un paramètre référence de %s", param, src)
	}
	for _, m := range matches {
		if m.Type != src || m.Body == nil {
			continue
		}
		obj, err := fhir.Decode(m.Body)
		if err != nil {
			continue
		}
		idx, _, err := s.extract(obj)
		if err != nil {
			continue
		}
		for _, ref := range idx.References {
			if (param == "*" || ref.Param == param) && ref.Type != "" && ref.ID != "" && (target == "" || ref.Type == target) {
				if res, err := r.Read(ref.Type, ref.ID); err == nil {
					add(res)
				}
			}
		}
	}
	return nil
}

func (s *Service) revinclude(r reader, matches []dsn.Resource, spec string, add func(dsn.Resource)) error {
	src, param, ok := strings.Cut(spec, ":")
	if p, found := fhir.SearchParams(src)[param]; !ok || !s.isType(src) || !found || p.Type != dsn.ParamReference {
		return fmt.Errorf("forme attendue Type:paramètre (un paramètre référence de Type)")
	}
	if len(matches) == 0 {
		return nil
	}
	c := dsn.Clause{Param: param, Type: dsn.ParamReference}
	for _, m := range matches {
		c.Values = append(c.Values, dsn.Value{RefType: m.Type, RefID: m.ID})
	}
	res, err := r.Search(dsn.SearchQuery{Type: src, Clauses: []dsn.Clause{c}, Count: maxIncluded})
	if err != nil {
		return err
	}
	for _, m := range res.Matches {
		add(m)
	}
	return nil
}

func warning(msg string) dsn.Issue {
	return dsn.Issue{Severity: "warning", Code: "not-supported", Diagnostics: msg}
}
