package fhirapi

import (
	"context"
	"strings"

	"dsn"
	"dsn/access"
)

// Bearer is the authorizer of a server with access control: every
// interaction but the CapabilityStatement needs an OAuth 2.0 bearer token
// (RFC 6750 §2.1) whose scopes allow the interaction on its type. The
// principal goes into the context, where the policy behind the repository
// (access.Guard) filters every resource by need to know.
type Bearer struct {
	Auth *access.Service
}

var _ ContextAuthorizer = Bearer{}

// Authorize is AuthorizeContext without the context.
func (b Bearer) Authorize(ctx context.Context, req Request) error {
	_, err := b.AuthorizeContext(ctx, req)
	return err
}

// AuthorizeContext authenticates the bearer token and checks its scopes
// against the interaction (SMART App Launch 2 scopes: c r u d s).
func (b Bearer) AuthorizeContext(ctx context.Context, req Request) (context.Context, error) {
	if req.Interaction == "capabilities" {
		return ctx, nil // the CapabilityStatement is public (SMART: discovery)
	}
	scheme, token, _ := strings.Cut(req.Authorization, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return ctx, errorf("fhirapi.Authorize", dsn.KindUnauthorized, "auth.required")
	}
	p, err := b.Auth.Authenticate(ctx, strings.TrimSpace(token))
	if err != nil {
		return ctx, err
	}
	if typ, perm := scopeNeed(req); perm != 0 {
		if ok, _ := p.Scopes.Allows(typ, perm); !ok {
			return access.WithPrincipal(ctx, p), errorf("fhirapi.Authorize", dsn.KindForbidden,
				"auth.scope", req.Interaction, typOrAll(typ), perm.String())
		}
	}
	return access.WithPrincipal(ctx, p), nil
}

func typOrAll(t string) string {
	if t == "" {
		return "*"
	}
	return t
}

// scopeNeed is the permission an interaction needs on its type, checked at
// the door; the types a search brings along (_include, $everything) are
// checked resource by resource by the guard. Batches are checked entry by
// entry the same way (each entry is a repository call).
func scopeNeed(req Request) (string, access.Perm) {
	typ := req.Type
	if typ == "" {
		typ = "*"
	}
	switch req.Interaction {
	case "read", "vread", "history-instance":
		return typ, access.PermRead
	case "search-type", "search-system", "history-type", "history-system", "search-compartment":
		return typ, access.PermSearch
	case "create":
		return typ, access.PermCreate
	case "update", "patch":
		return typ, access.PermUpdate
	case "delete":
		return typ, access.PermDelete
	case "operation":
		if strings.HasSuffix(req.Path, "/$match") {
			return "Patient", access.PermSearch
		}
		return typ, access.PermRead
	}
	return "", 0 // batch/transaction, unknown routes: decided further in
}
