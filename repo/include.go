package repo

import (
	"slices"

	"dsn"
	"dsn/fhir"
)

// Bounds of _include and _revinclude (search.html#include lets a server
// limit them, and say so): the resources added to one page, and the rounds of
// :iterate after the first.
const (
	maxIncluded      = 1000
	maxIterateRounds = 3
	maxRefsPerSearch = 500 // reference values of one _revinclude or _id query
)

// includes answers q.Includes and q.RevIncludes for one page of matches. The
// first round applies every _include (Source:param[:Target], "*" for every
// reference parameter) to the matches, reading the references from their
// index rows (exactly what search sees), and every _revinclude (Source
// resources whose param refers to a match); each later round applies the
// :iterate ones to the resources the previous round added, up to
// maxIterateRounds rounds and maxIncluded resources (then an issue says so).
func (s *Service) includes(r reader, matches []dsn.Resource, q dsn.SearchQuery) ([]dsn.Resource, []dsn.Issue) {
	if len(q.Includes) == 0 && len(q.RevIncludes) == 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	for _, m := range matches {
		seen[m.Type+"/"+m.ID] = true
	}
	var out []dsn.Resource
	var issues []dsn.Issue
	full := false
	add := func(res dsn.Resource) {
		k := res.Type + "/" + res.ID
		switch {
		case seen[k]:
		case len(out) >= maxIncluded:
			full = true
		default:
			seen[k] = true
			out = append(out, res)
		}
	}
	frontier := matches
	for round := 0; len(frontier) > 0; round++ {
		if round > maxIterateRounds {
			full = true
			break
		}
		before := len(out)
		for _, inc := range q.Includes {
			if round == 0 || inc.Iterate {
				if err := s.include(r, frontier, inc, add); err != nil {
					issues = append(issues, warning("include.failed", inc.Source, inc.Param, err))
				}
			}
		}
		for _, inc := range q.RevIncludes {
			if round == 0 || inc.Iterate {
				if err := s.revinclude(r, frontier, inc, add); err != nil {
					issues = append(issues, warning("revinclude.failed", inc.Source, inc.Param, err))
				}
			}
		}
		frontier = out[before:]
	}
	if full {
		issues = append(issues, warning("include.incomplete", maxIncluded, maxIterateRounds))
	}
	return out, issues
}

// include adds the resources that the frontier's Source resources reference
// through inc.Param (or any reference parameter for "*"), read by _id per type.
func (s *Service) include(r reader, frontier []dsn.Resource, inc dsn.Include, add func(dsn.Resource)) error {
	ids := map[string][]string{} // type -> ids, in order of discovery
	var types []string
	for _, m := range frontier {
		if m.Type != inc.Source || m.Body == nil {
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
			if (inc.Param == "*" || ref.Param == inc.Param) && ref.Type != "" && ref.ID != "" &&
				(inc.Target == "" || ref.Type == inc.Target) && !slices.Contains(ids[ref.Type], ref.ID) {
				if ids[ref.Type] == nil {
					types = append(types, ref.Type)
				}
				ids[ref.Type] = append(ids[ref.Type], ref.ID)
			}
		}
	}
	for _, typ := range types {
		for list := ids[typ]; len(list) > 0; {
			n := min(len(list), maxRefsPerSearch)
			c := dsn.Clause{Param: "_id", Type: dsn.ParamToken}
			for _, id := range list[:n] {
				c.Values = append(c.Values, dsn.Value{Code: id, AnySystem: true})
			}
			res, err := r.Search(dsn.SearchQuery{Type: typ, Clauses: []dsn.Clause{c}, Count: n})
			if err != nil {
				return err
			}
			for _, m := range res.Matches {
				add(m)
			}
			list = list[n:]
		}
	}
	return nil
}

// revinclude adds the Source resources whose inc.Param (every reference
// parameter of Source for "*") refers to a frontier resource (of type
// inc.Target, if given).
func (s *Service) revinclude(r reader, frontier []dsn.Resource, inc dsn.Include, add func(dsn.Resource)) error {
	params := []string{inc.Param}
	if inc.Param == "*" {
		params = params[:0]
		for code, p := range fhir.SearchParams(inc.Source) {
			if p.Type == dsn.ParamReference {
				params = append(params, code)
			}
		}
		slices.Sort(params)
	}
	var targets []dsn.Value
	for _, m := range frontier {
		if inc.Target == "" || m.Type == inc.Target {
			targets = append(targets, dsn.Value{RefType: m.Type, RefID: m.ID})
		}
	}
	for _, param := range params {
		for list := targets; len(list) > 0; {
			n := min(len(list), maxRefsPerSearch)
			c := dsn.Clause{Param: param, Type: dsn.ParamReference, Values: list[:n]}
			res, err := r.Search(dsn.SearchQuery{Type: inc.Source, Clauses: []dsn.Clause{c}, Count: maxIncluded})
			if err != nil {
				return err
			}
			for _, m := range res.Matches {
				add(m)
			}
			list = list[n:]
		}
	}
	return nil
}

// warning is a search's warning (not-supported) saying the sentence id with
// args, in both languages (the searchset's outcome entry picks one).
func warning(id string, args ...any) dsn.Issue {
	t := messages[id].Format(args...)
	return dsn.Issue{Severity: "warning", Code: "not-supported", Diagnostics: t.FR, English: t.EN}
}
