package access

import (
	"slices"
	"strings"

	"dsn"
)

// Perm is a set of SMART v2 permissions (app-launch/scopes-and-launch-context.html
// "scopes for requesting FHIR resources"): create, read, update, delete, search.
type Perm uint8

const (
	PermCreate Perm = 1 << iota
	PermRead
	PermUpdate
	PermDelete
	PermSearch
	PermAll = PermCreate | PermRead | PermUpdate | PermDelete | PermSearch
)

// String writes p in the cruds order of the specification.
func (p Perm) String() string {
	var b strings.Builder
	for i, c := range "cruds" {
		if p&(1<<i) != 0 {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// Scope is one resource scope: context/Type.perms ("patient/Observation.rs").
type Scope struct {
	Context string // patient, user or system
	Type    string // a resource type or "*"
	Perms   Perm
}

func (s Scope) String() string { return s.Context + "/" + s.Type + "." + s.Perms.String() }

// Scopes is a parsed scope string: the resource scopes and the others
// (openid, fhirUser, launch/patient, offline_access...).
type Scopes struct {
	Resources []Scope
	Other     []string
}

// v1Perms maps SMART v1 permissions, still accepted by v2 servers.
var v1Perms = map[string]Perm{"read": PermRead | PermSearch, "write": PermCreate | PermUpdate | PermDelete, "*": PermAll}

// knownOther are the non-resource scopes DSN understands; others are refused
// so that a typo never silently grants less or more than asked.
var knownOther = map[string]bool{"openid": true, "fhirUser": true, "profile": true, "launch": true,
	"launch/patient": true, "offline_access": true, "online_access": true}

// ParseScopes reads a space-separated scope string. Query-restricted scopes
// ("patient/Observation.rs?category=…") are refused: DSN does not grant them.
func ParseScopes(s string) (Scopes, error) {
	var out Scopes
	for _, f := range strings.Fields(s) {
		if knownOther[f] {
			if !slices.Contains(out.Other, f) {
				out.Other = append(out.Other, f)
			}
			continue
		}
		sc, err := parseScope(f)
		if err != nil {
			return Scopes{}, err
		}
		out.Resources = append(out.Resources, sc)
	}
	return out, nil
}

func parseScope(f string) (Scope, error) {
	ctx, rest, ok := strings.Cut(f, "/")
	if !ok || (ctx != "patient" && ctx != "user" && ctx != "system") {
		return Scope{}, errorf("access.ParseScopes", dsn.KindInvalid, "scope.unknown", f)
	}
	if strings.ContainsAny(rest, "?&=") {
		return Scope{}, errorf("access.ParseScopes", dsn.KindInvalid, "scope.query", f)
	}
	typ, perms, ok := strings.Cut(rest, ".")
	if !ok || typ == "" || (typ != "*" && !validType(typ)) {
		return Scope{}, errorf("access.ParseScopes", dsn.KindInvalid, "scope.malformed", f)
	}
	if p, ok := v1Perms[perms]; ok {
		return Scope{ctx, typ, p}, nil
	}
	var p Perm
	last := -1
	for _, c := range perms {
		i := strings.IndexRune("cruds", c)
		if i <= last { // unknown letter, repeated or out of order (v2 requires cruds order)
			return Scope{}, errorf("access.ParseScopes", dsn.KindInvalid, "scope.perms", f)
		}
		last = i
		p |= 1 << i
	}
	if p == 0 {
		return Scope{}, errorf("access.ParseScopes", dsn.KindInvalid, "scope.no-perm", f)
	}
	return Scope{ctx, typ, p}, nil
}

func validType(t string) bool {
	if t == "" || t[0] < 'A' || t[0] > 'Z' {
		return false
	}
	for _, c := range t {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// String writes the scopes back, space-separated.
func (s Scopes) String() string {
	parts := slices.Clone(s.Other)
	for _, r := range s.Resources {
		parts = append(parts, r.String())
	}
	return strings.Join(parts, " ")
}

// Has tells whether a non-resource scope was granted.
func (s Scopes) Has(name string) bool { return slices.Contains(s.Other, name) }

// Allows tells whether some scope grants perm on typ, and whether only
// patient/ scopes do (then the access is limited to the token's patient).
func (s Scopes) Allows(typ string, perm Perm) (ok, patientOnly bool) {
	patientOnly = true
	for _, r := range s.Resources {
		if (r.Type == "*" || r.Type == typ) && r.Perms&perm == perm {
			ok = true
			if r.Context != "patient" {
				patientOnly = false
			}
		}
	}
	return ok, ok && patientOnly
}

// Narrow keeps of s what ceiling grants: each requested scope loses the
// permissions no ceiling scope of the same context and type (or "*") grants;
// a requested "*" under typed ceilings becomes those types. Non-resource
// scopes are kept only if ceiling has them. Used at token issuance so that a
// client never gets more than it is registered for nor a user more than
// their role allows.
func (s Scopes) Narrow(ceiling Scopes) Scopes {
	var out Scopes
	for _, o := range s.Other {
		if ceiling.Has(o) {
			out.Other = append(out.Other, o)
		}
	}
	add := func(sc Scope) {
		if sc.Perms != 0 && !slices.Contains(out.Resources, sc) {
			out.Resources = append(out.Resources, sc)
		}
	}
	for _, r := range s.Resources {
		var wild Perm
		for _, c := range ceiling.Resources {
			if c.Context == r.Context && c.Type == "*" {
				wild |= c.Perms
			}
		}
		add(Scope{r.Context, r.Type, r.Perms & wild})
		for _, c := range ceiling.Resources {
			if c.Context != r.Context || c.Type == "*" {
				continue
			}
			if r.Type == "*" || r.Type == c.Type {
				add(Scope{r.Context, c.Type, r.Perms & c.Perms &^ wild})
			}
		}
	}
	return out
}

// MustScopes parses a scope string known to be valid (tables, tests).
func MustScopes(s string) Scopes {
	sc, err := ParseScopes(s)
	if err != nil {
		panic(err)
	}
	return sc
}
