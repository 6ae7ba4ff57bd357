package repo

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"dsn"
	"dsn/fhir"
)

// EverythingOf runs Patient/[id]/$everything for a golden record of the
// provincial record (package mpi/provincial): the golden Patient first,
// then the compartments of its registrations (members) one after the
// other, each with its registration first, then the referenced resources
// outside any compartment, as Everything does for one Patient. The same
// parameters apply; Bundle.total is the sum over the registrations, and
// the paging cursor is "registration number.its own cursor".
func (s *Service) EverythingOf(ctx context.Context, base, id string, members []string, params url.Values) (fhir.Object, error) {
	const op = "repo.Everything"
	if err := s.checkPatient(ctx, op, id); err != nil {
		return nil, err
	}
	q, issues, err := s.everythingQuery(op, id, params)
	if err != nil {
		return nil, err
	}
	count := q.Count
	if count == 0 {
		count = 50
	}
	k, inner, err := memberCursor(op, q.Cursor, len(members))
	if err != nil {
		return nil, err
	}
	var res dsn.SearchResult
	if q.Cursor == "" {
		g, err := s.store.Read(ctx, "Patient", id)
		if err != nil {
			return nil, dsn.Wrap(op, dsn.KindInternal, err)
		}
		res.Matches = append(res.Matches, g)
	}
	for ; k < len(members); k++ {
		mq := q
		mq.PatientKey, mq.Cursor, mq.Total = members[k], inner, true
		mq.Count = max(count-len(res.Matches), 1)
		page, err := s.store.Search(ctx, mq)
		if err != nil {
			return nil, dsn.Wrap(op, dsn.KindOf(err), err)
		}
		res.Total += page.Total
		res.Matches = append(res.Matches, patientFirst(page.Matches, members[k], inner == "")...)
		inner = ""
		if page.Next != "" {
			res.Next = strconv.Itoa(k) + "." + page.Next
			break
		}
		if len(res.Matches) >= count && k+1 < len(members) {
			res.Next = strconv.Itoa(k+1) + "."
			break
		}
	}
	if res.Next != "" || q.Cursor != "" {
		res.Total = s.everythingTotal(ctx, q, members) + 1
	} else {
		res.Total++ // the golden Patient
	}
	refs := s.referenced(storeReader{ctx, s.store}, res.Matches, q.Types)
	return searchBundle(base, base+"/Patient/"+id+"/$everything", params, res, refs, issues, inEnglish(ctx)), nil
}

// everythingTotal counts the matches over every registration.
func (s *Service) everythingTotal(ctx context.Context, q dsn.SearchQuery, members []string) int {
	n := 0
	for _, m := range members {
		mq := q
		mq.PatientKey, mq.Cursor, mq.Total, mq.Count = m, "", true, 1
		if page, err := s.store.Search(ctx, mq); err == nil {
			n += page.Total
		}
	}
	return n
}

// memberCursor reads "k.inner" (k: the registration to continue with).
func memberCursor(op, c string, n int) (int, string, error) {
	if c == "" {
		return 0, "", nil
	}
	ks, inner, ok := strings.Cut(c, ".")
	k, err := strconv.Atoi(ks)
	if !ok || err != nil || k < 0 || k > n {
		return 0, "", invalidIn(op, "", "everything.cursor", c)
	}
	return k, inner, nil
}
