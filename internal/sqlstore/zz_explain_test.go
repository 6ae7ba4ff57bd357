package sqlstore

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"dsn/search"
)

func inline(d Dialect, st Statement) string {
	lit := func(a any) string {
		switch v := a.(type) {
		case string:
			return "'" + strings.ReplaceAll(v, "'", "''") + "'"
		case []string:
			return "'{" + strings.Join(v, ",") + "}'"
		}
		return fmt.Sprint(a)
	}
	if d.intColumns {
		i := 0
		return regexp.MustCompile(`\?`).ReplaceAllStringFunc(st.SQL, func(string) string { i++; return lit(st.Args[i-1]) })
	}
	return regexp.MustCompile(`\$(\d+)`).ReplaceAllStringFunc(st.SQL, func(m string) string {
		n, _ := strconv.Atoi(m[1:])
		return lit(st.Args[n-1])
	})
}

func TestZZExplain(t *testing.T) {
	qs := os.Getenv("ZZ_QUERIES")
	if qs == "" {
		t.Skip()
	}
	d := SQLite
	if os.Getenv("ZZ_PG") != "" {
		d = Postgres
	}
	for _, line := range strings.Split(qs, "\n") {
		if line == "" {
			continue
		}
		typ, query, _ := strings.Cut(line, "?")
		vals, _ := url.ParseQuery(query)
		q, _, err := search.Parse(typ, vals, true)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Translate(d, q)
		if err != nil {
			t.Fatal(err)
		}
		st := p.Page
		if q.Summary == "count" {
			st = p.Count
		}
		fmt.Println(inline(d, st) + ";")
	}
}
