package repo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"dsn/internal/language/words"
)

// patchError is an error of a JSON Patch document or of its application,
// in both languages (the catalogue's jsonpatch.* sentences): the caller turns
// it into the request's error (patchInvalid, 400; patchUnprocessable, 422).
type patchError struct{ text words.Text }

func (e *patchError) Error() string { return e.text.FR }

// patchErrf is the sentence id with args; an argument that is itself a
// patchError is put in each language as its own sentence in that language.
func patchErrf(id string, args ...any) error {
	m := messages[id]
	in := func(l words.Tag) []any {
		out := make([]any, len(args))
		for i, a := range args {
			var pe *patchError
			if err, ok := a.(error); ok && errors.As(err, &pe) {
				a = pe.text.In(l)
			}
			out[i] = a
		}
		return out
	}
	return &patchError{words.Text{FR: fmt.Sprintf(m.FR, in(words.French)...), EN: fmt.Sprintf(m.EN, in(words.English)...)}}
}

// patchText is err's sentence in both languages (French only for an error
// that is not a patchError: none is expected).
func patchText(err error) words.Text {
	var pe *patchError
	if errors.As(err, &pe) {
		return pe.text
	}
	return words.Text{FR: err.Error(), EN: err.Error()}
}

// patchOp is one operation of an RFC 6902 JSON Patch document.
type patchOp struct {
	Op    string          `json:"op"`
	Path  *string         `json:"path"`
	From  *string         `json:"from"`
	Value json.RawMessage `json:"value"`
}

// parsePatch reads a JSON Patch document (RFC 6902 §3: an array of operations).
func parsePatch(doc []byte) ([]patchOp, error) {
	var ops []patchOp
	if err := json.Unmarshal(doc, &ops); err != nil {
		return nil, patchErrf("jsonpatch.unreadable", err)
	}
	for i, o := range ops {
		if o.Path == nil {
			return nil, patchErrf("jsonpatch.path", i)
		}
		switch o.Op {
		case "add", "replace", "test":
			if o.Value == nil {
				return nil, patchErrf("jsonpatch.value", i, o.Op)
			}
		case "move", "copy":
			if o.From == nil {
				return nil, patchErrf("jsonpatch.from", i, o.Op)
			}
		case "remove":
		default:
			return nil, patchErrf("jsonpatch.op", i, o.Op)
		}
	}
	return ops, nil
}

// applyPatch applies ops to doc in order (RFC 6902 §5: all or nothing; the caller
// discards doc on error). It returns the new root.
func applyPatch(doc any, ops []patchOp) (any, error) {
	for i, o := range ops {
		var err error
		doc, err = applyOp(doc, o)
		if err != nil {
			return nil, patchErrf("jsonpatch.operation", i, o.Op, *o.Path, err)
		}
	}
	return doc, nil
}

func applyOp(doc any, o patchOp) (any, error) {
	switch o.Op {
	case "add", "replace", "test":
		v, err := decodeValue(o.Value)
		if err != nil {
			return nil, err
		}
		switch o.Op {
		case "add":
			return pointerAdd(doc, *o.Path, v)
		case "replace":
			if _, err := pointerGet(doc, *o.Path); err != nil {
				return nil, err
			}
			doc, _, err = pointerRemove(doc, *o.Path)
			if err != nil {
				return nil, err
			}
			return pointerAdd(doc, *o.Path, v)
		default:
			cur, err := pointerGet(doc, *o.Path)
			if err != nil {
				return nil, err
			}
			if !jsonEqual(cur, v) {
				return nil, patchErrf("jsonpatch.test")
			}
			return doc, nil
		}
	case "remove":
		doc, _, err := pointerRemove(doc, *o.Path)
		return doc, err
	case "move":
		if strings.HasPrefix(*o.Path+"/", *o.From+"/") && *o.Path != *o.From {
			return nil, patchErrf("jsonpatch.move-into")
		}
		doc, v, err := pointerRemove(doc, *o.From)
		if err != nil {
			return nil, err
		}
		return pointerAdd(doc, *o.Path, v)
	case "copy":
		v, err := pointerGet(doc, *o.From)
		if err != nil {
			return nil, err
		}
		return pointerAdd(doc, *o.Path, cloneValue(v))
	}
	return nil, patchErrf("jsonpatch.unknown")
}

func decodeValue(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, patchErrf("jsonpatch.value-unreadable", err)
	}
	return v, nil
}

// jsonEqual compares two JSON values; numbers compare by value (RFC 6902 §4.6).
func jsonEqual(a, b any) bool {
	an, aok := a.(json.Number)
	bn, bok := b.(json.Number)
	if aok && bok {
		af, e1 := an.Float64()
		bf, e2 := bn.Float64()
		return e1 == nil && e2 == nil && af == bf
	}
	switch at := a.(type) {
	case map[string]any:
		bt, ok := b.(map[string]any)
		if !ok || len(at) != len(bt) {
			return false
		}
		for k, v := range at {
			w, ok := bt[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		bt, ok := b.([]any)
		if !ok || len(at) != len(bt) {
			return false
		}
		for i := range at {
			if !jsonEqual(at[i], bt[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// splitPointer parses an RFC 6901 JSON Pointer into its unescaped tokens.
func splitPointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, patchErrf("jsonpatch.pointer", p)
	}
	toks := strings.Split(p[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks, nil
}

// arrayIndex parses an array index token; "-" (end) is allowed when allowEnd.
func arrayIndex(tok string, n int, allowEnd bool) (int, error) {
	if tok == "-" && allowEnd {
		return n, nil
	}
	if tok == "" || (len(tok) > 1 && tok[0] == '0') {
		return 0, patchErrf("jsonpatch.index", tok)
	}
	i, err := strconv.Atoi(tok)
	max := n - 1
	if allowEnd {
		max = n
	}
	if err != nil || i < 0 || i > max {
		return 0, patchErrf("jsonpatch.index-range", tok)
	}
	return i, nil
}

// pointerGet returns the value at p.
func pointerGet(doc any, p string) (any, error) {
	toks, err := splitPointer(p)
	if err != nil {
		return nil, err
	}
	cur := doc
	for _, t := range toks {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[t]
			if !ok {
				return nil, patchErrf("jsonpatch.absent", p)
			}
			cur = v
		case []any:
			i, err := arrayIndex(t, len(c), false)
			if err != nil {
				return nil, err
			}
			cur = c[i]
		default:
			return nil, patchErrf("jsonpatch.absent", p)
		}
	}
	return cur, nil
}

// pointerAdd adds v at p (RFC 6902 §4.1): sets a member, inserts into an
// array, or replaces the root when p is "".
func pointerAdd(doc any, p string, v any) (any, error) {
	toks, err := splitPointer(p)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return v, nil
	}
	return doc, editParent(doc, toks, func(parent any, last string) (any, error) {
		switch c := parent.(type) {
		case map[string]any:
			c[last] = v
			return c, nil
		case []any:
			i, err := arrayIndex(last, len(c), true)
			if err != nil {
				return nil, err
			}
			c = append(c, nil)
			copy(c[i+1:], c[i:])
			c[i] = v
			return c, nil
		}
		return nil, patchErrf("jsonpatch.parent", p)
	})
}

// pointerRemove removes the value at p and returns it (RFC 6902 §4.2).
func pointerRemove(doc any, p string) (any, any, error) {
	toks, err := splitPointer(p)
	if err != nil {
		return nil, nil, err
	}
	if len(toks) == 0 {
		return nil, nil, patchErrf("jsonpatch.root-remove")
	}
	var removed any
	err = editParent(doc, toks, func(parent any, last string) (any, error) {
		switch c := parent.(type) {
		case map[string]any:
			v, ok := c[last]
			if !ok {
				return nil, patchErrf("jsonpatch.absent", p)
			}
			removed = v
			delete(c, last)
			return c, nil
		case []any:
			i, err := arrayIndex(last, len(c), false)
			if err != nil {
				return nil, err
			}
			removed = c[i]
			return append(c[:i:i], c[i+1:]...), nil
		}
		return nil, patchErrf("jsonpatch.absent", p)
	})
	return doc, removed, err
}

// editParent walks to the container of the last token and lets edit replace
// it (arrays change length, so the new slice is stored back in its parent).
func editParent(doc any, toks []string, edit func(parent any, last string) (any, error)) error {
	if len(toks) == 1 {
		if _, ok := doc.([]any); ok {
			return patchErrf("jsonpatch.root-object")
		}
		_, err := edit(doc, toks[0])
		return err
	}
	head, rest := toks[0], toks[1:]
	switch c := doc.(type) {
	case map[string]any:
		child, ok := c[head]
		if !ok {
			return patchErrf("jsonpatch.absent-step", head)
		}
		if len(rest) == 1 {
			n, err := edit(child, rest[0])
			if err == nil {
				c[head] = n
			}
			return err
		}
		return editParent(child, rest, edit)
	case []any:
		i, err := arrayIndex(head, len(c), false)
		if err != nil {
			return err
		}
		if len(rest) == 1 {
			n, err := edit(c[i], rest[0])
			if err == nil {
				c[i] = n
			}
			return err
		}
		return editParent(c[i], rest, edit)
	}
	return patchErrf("jsonpatch.absent-step", head)
}
