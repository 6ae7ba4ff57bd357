package fhirpath

import (
	"strconv"
	"strings"
)

// parser is a precedence-climbing parser over the token list. Precedence follows
// the FHIRPath N1 grammar (§Operator precedence), loosest first:
// implies; or xor; and; in contains; = ~ != !~; < > <= >=; |; is as; + - &;
// * / div mod; unary + -; then the postfix . and [].
type parser struct {
	toks  []token
	pos   int
	depth int
}

// maxNesting bounds parenthesis and operator nesting: deeper input is refused
// rather than risking the stack (found by FuzzParse).
const maxNesting = 256

func parse(src string) (expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, syntaxErr(t.pos, "symbole inattendu "+strconv.Quote(t.text))
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token { t := p.toks[p.pos]; p.pos++; return t }

// binPrec gives the binding power of a binary operator token, 0 if t is not one.
func binPrec(t token) int {
	if t.kind == tOp {
		switch t.text {
		case "|":
			return 7
		case "<", ">", "<=", ">=":
			return 6
		case "=", "~", "!=", "!~":
			return 5
		case "+", "-", "&":
			return 9
		case "*", "/":
			return 10
		}
		return 0
	}
	if t.kind == tIdent {
		switch t.text {
		case "implies":
			return 1
		case "or", "xor":
			return 2
		case "and":
			return 3
		case "in", "contains":
			return 4
		case "is", "as":
			return 8
		case "div", "mod":
			return 10
		}
	}
	return 0
}

func (p *parser) expr(minPrec int) (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, syntaxErr(p.peek().pos, "expression trop imbriquée")
	}
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		prec := binPrec(t)
		if prec == 0 || prec <= minPrec {
			return left, nil
		}
		p.next()
		if t.text == "is" || t.text == "as" {
			ts, err := p.typeSpec()
			if err != nil {
				return nil, err
			}
			left = &typeExpr{op: t.text, x: left, typ: ts}
			continue
		}
		right, err := p.expr(prec)
		if err != nil {
			return nil, err
		}
		left, err = newBinary(t.text, left, right)
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) unary() (expr, error) {
	t := p.peek()
	if t.kind == tOp && (t.text == "+" || t.text == "-") {
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		if t.text == "+" {
			return &unaryExpr{x: x}, nil
		}
		return negate(x), nil
	}
	return p.postfix()
}

func (p *parser) postfix() (expr, error) {
	e, err := p.term()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case t.kind == tOp && t.text == ".":
			p.next()
			e, err = p.invocation(e)
		case t.kind == tOp && t.text == "[":
			p.next()
			var idx expr
			if idx, err = p.expr(0); err == nil {
				err = p.expect("]")
			}
			e = &indexExpr{x: e, index: idx}
		default:
			return e, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) expect(op string) error {
	t := p.next()
	if t.kind != tOp || t.text != op {
		if t.kind == tEOF {
			return syntaxErr(t.pos, "fin d'expression inattendue, "+op+" attendu")
		}
		return syntaxErr(t.pos, op+" attendu au lieu de "+strconv.Quote(t.text))
	}
	return nil
}

// invocation parses what follows a '.' (or starts a path): a name or a call.
func (p *parser) invocation(target expr) (expr, error) {
	t := p.next()
	switch t.kind {
	case tIdent, tDelimIdent:
	case tDollar:
		if target == nil {
			return dollarExpr(t.text), nil
		}
		return nil, syntaxErr(t.pos, t.text+" ne peut pas suivre un point")
	default:
		return nil, syntaxErr(t.pos, "nom attendu")
	}
	if t.kind == tIdent && p.peek().kind == tOp && p.peek().text == "(" {
		p.next()
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		return newCall(t.text, target, args)
	}
	return &memberExpr{x: target, name: t.text, uname: "_" + t.text}, nil
}

func (p *parser) args() ([]expr, error) {
	var args []expr
	if t := p.peek(); t.kind == tOp && t.text == ")" {
		p.next()
		return nil, nil
	}
	for {
		a, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		t := p.next()
		if t.kind == tOp && t.text == ")" {
			return args, nil
		}
		if t.kind != tOp || t.text != "," {
			return nil, syntaxErr(t.pos, ", ou ) attendu")
		}
	}
}

func (p *parser) term() (expr, error) {
	t := p.peek()
	switch t.kind {
	case tNumber:
		p.next()
		return p.number(t)
	case tString:
		p.next()
		return lit(t.text), nil
	case tDate:
		p.next()
		d, ok := ParseDate(t.text)
		if !ok {
			return nil, syntaxErr(t.pos, "date ou heure invalide @"+t.text)
		}
		return lit(d), nil
	case tExtConst:
		p.next()
		return &varExpr{name: t.text}, nil
	case tDollar:
		p.next()
		return dollarExpr(t.text), nil
	case tIdent:
		switch t.text {
		case "true", "false":
			p.next()
			return lit(t.text == "true"), nil
		}
		return p.invocation(nil)
	case tDelimIdent:
		return p.invocation(nil)
	case tOp:
		switch t.text {
		case "(":
			p.next()
			e, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			return e, p.expect(")")
		case "{":
			p.next()
			return &literalExpr{}, p.expect("}")
		}
	case tEOF:
		return nil, syntaxErr(t.pos, "fin d'expression inattendue")
	}
	return nil, syntaxErr(t.pos, "symbole inattendu "+strconv.Quote(t.text))
}

// number parses an integer or decimal literal, and a quantity when a unit follows
// (N1 §Quantity: a string unit or a calendar duration keyword).
func (p *parser) number(t token) (expr, error) {
	var v any
	if strings.Contains(t.text, ".") {
		d, ok := ParseDecimal(t.text)
		if !ok {
			return nil, syntaxErr(t.pos, "nombre invalide")
		}
		v = d
	} else {
		i, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			d, _ := ParseDecimal(t.text)
			v = d
		} else {
			v = i
		}
	}
	u := p.peek()
	unit := ""
	switch {
	case u.kind == tString:
		unit = u.text
	case u.kind == tIdent && isCalendarUnit(u.text):
		unit = u.text
	default:
		return lit(v), nil
	}
	p.next()
	d, ok := v.(Decimal)
	if !ok {
		d = DecimalFromInt(v.(int64))
	}
	return lit(Quantity{Value: d, Unit: unit}), nil
}

// typeSpec reads a possibly qualified type name (System.String, FHIR.Patient, Quantity).
func (p *parser) typeSpec() (typeName, error) {
	t := p.next()
	if t.kind != tIdent && t.kind != tDelimIdent {
		return typeName{}, syntaxErr(t.pos, "nom de type attendu")
	}
	name := t.text
	if n := p.peek(); n.kind == tOp && n.text == "." {
		if q := p.toks[p.pos+1]; q.kind == tIdent || q.kind == tDelimIdent {
			p.pos += 2
			return typeName{ns: name, name: q.text}, nil
		}
	}
	return typeName{name: name}, nil
}

// negate folds "-5" into a literal so that (-1).abs() and -1 'mg' stay literals.
func negate(x expr) expr {
	if l, ok := x.(*literalExpr); ok && len(l.val) == 1 {
		switch v := l.val[0].(type) {
		case int64:
			return lit(-v)
		case Decimal:
			return lit(v.Neg())
		case Quantity:
			return lit(Quantity{Value: v.Value.Neg(), Unit: v.Unit})
		}
	}
	return &unaryExpr{neg: true, x: x}
}
