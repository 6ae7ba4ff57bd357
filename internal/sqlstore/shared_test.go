package sqlstore

import (
	"slices"
	"testing"

	"dsn"
)

func TestShare(t *testing.T) {
	s := func(p, v string) dsn.StringKey { return dsn.StringKey{Param: p, Norm: v, Exact: v} }
	in := dsn.Index{Strings: []dsn.StringKey{
		s("family", "cote"), s("name", "cote"), s("phonetic", "cote"),
		s("given", "jean"), s("name", "jean"), // no phonetic: no group, plain
		s("name", "dr"), s("phonetic", "dr"),
		s("address", "qc"), s("address-state", "qc"), s("address-city", "qc"), // the address row goes to one group
	}, Tokens: []dsn.TokenKey{{Param: "gender", Code: "male"}}}
	orig := slices.Clone(in.Strings)
	out := Share(&in)
	var got []string
	for _, k := range out.Strings {
		got = append(got, k.Param+"="+k.Norm)
	}
	slices.Sort(got)
	want := []string{"address+address-city=qc", "address-state=qc", "family+name+phonetic=cote",
		"given=jean", "name+phonetic=dr", "name=jean"}
	if !slices.Equal(got, want) {
		t.Errorf("shared rows %v, want %v", got, want)
	}
	if !slices.Equal(in.Strings, orig) {
		t.Error("Share changed its argument")
	}
	plain := dsn.Index{Strings: []dsn.StringKey{s("family", "roy"), s("name", "cote")}}
	if Share(&plain) != &plain {
		t.Error("nothing shared: want the same index back")
	}
	if n := ParamNames("name"); !slices.Equal(n, []string{"name", "family+name+phonetic", "given+name+phonetic", "name+phonetic"}) {
		t.Errorf("ParamNames(name) = %v", n)
	}
}
