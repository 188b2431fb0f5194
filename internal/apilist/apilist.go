// Package apilist lists the exported API of a package from its source, one
// line a name, in the spirit of Go's own api/*.txt files. Each package keeps
// its listing in the repo's api/ folder and a test compares the two, so that
// an export is added (or removed) on purpose, in a reviewed diff.
package apilist

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// update is set by go test -run TestAPI -update-api: the listings are
// rewritten from the source instead of compared. Only test binaries import
// this package, so the flag is theirs.
var update = flag.Bool("update-api", false, "rewrite the package's api/*.txt listing from its source")

// Test fails t when the exported API of the package in the test's
// directory differs from its listing in the file want (or, with
// -update-api, rewrites want). It returns the listing.
func Test(t testing.TB, want string) []string {
	t.Helper()
	if err := Check(".", want, *update); err != nil {
		t.Fatal(err)
	}
	lines, err := Dir(".")
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// Dir lists the exported API of the package in dir (test files left out):
// constants, variables, functions, types, their exported methods and
// fields, and interface methods. The lines are sorted.
func Dir(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var lines []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		if !buildsEverywhere(f) {
			continue
		}
		for _, d := range f.Decls {
			lines = append(lines, decl(fset, d)...)
		}
	}
	slices.Sort(lines)
	return slices.Compact(lines), nil
}

// buildsEverywhere leaves out the files bound to one platform: the API is
// the same on every one, and their declarations repeat each other.
func buildsEverywhere(f *ast.File) bool {
	for _, c := range f.Comments {
		for _, l := range c.List {
			if strings.HasPrefix(l.Text, "//go:build") {
				return false
			}
		}
	}
	return true
}

// TopLevel counts the package-level names among lines: constants,
// variables, functions and types, not methods or fields.
func TopLevel(lines []string) int {
	n := 0
	for _, l := range lines {
		for _, kind := range []string{"const ", "var ", "func ", "type "} {
			if strings.HasPrefix(l, kind) {
				n++
			}
		}
	}
	return n
}

func decl(fset *token.FileSet, d ast.Decl) []string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return funcDecl(fset, d)
	case *ast.GenDecl:
		var out []string
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.IsExported() {
						out = append(out, d.Tok.String()+" "+n.Name)
					}
				}
			case *ast.TypeSpec:
				out = append(out, typeSpec(fset, s)...)
			}
		}
		return out
	}
	return nil
}

func funcDecl(fset *token.FileSet, d *ast.FuncDecl) []string {
	if !d.Name.IsExported() {
		return nil
	}
	sig := strings.TrimPrefix(node(fset, d.Type), "func")
	if d.Recv == nil {
		return []string{"func " + d.Name.Name + sig}
	}
	recv := d.Recv.List[0].Type
	base := recv
	if star, ok := base.(*ast.StarExpr); ok {
		base = star.X
	}
	if idx, ok := base.(*ast.IndexExpr); ok {
		base = idx.X
	}
	if id, ok := base.(*ast.Ident); !ok || !id.IsExported() {
		return nil
	}
	return []string{fmt.Sprintf("method (%s) %s%s", node(fset, recv), d.Name.Name, sig)}
}

func typeSpec(fset *token.FileSet, s *ast.TypeSpec) []string {
	if !s.Name.IsExported() {
		return nil
	}
	name := s.Name.Name
	switch t := s.Type.(type) {
	case *ast.StructType:
		out := []string{"type " + name + " struct"}
		for _, f := range t.Fields.List {
			typ := node(fset, f.Type)
			if len(f.Names) == 0 { // embedded
				if ast.IsExported(strings.TrimPrefix(typ, "*")) {
					out = append(out, fmt.Sprintf("field %s.%s embedded", name, typ))
				}
				continue
			}
			for _, n := range f.Names {
				if n.IsExported() {
					out = append(out, fmt.Sprintf("field %s.%s %s", name, n.Name, typ))
				}
			}
		}
		return out
	case *ast.InterfaceType:
		out := []string{"type " + name + " interface"}
		for _, m := range t.Methods.List {
			for _, n := range m.Names {
				if n.IsExported() {
					sig := strings.TrimPrefix(node(fset, m.Type), "func")
					out = append(out, fmt.Sprintf("method (%s) %s%s", name, n.Name, sig))
				}
			}
		}
		return out
	default:
		eq := " "
		if s.Assign.IsValid() {
			eq = " = "
		}
		return []string{"type " + name + eq + node(fset, s.Type)}
	}
}

func node(fset *token.FileSet, n ast.Node) string {
	var b bytes.Buffer
	if err := printer.Fprint(&b, fset, n); err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// Check compares the listing of the package in dir with the file want (a
// path from the same directory), and rewrites the file when update is set.
// The error says what was added and what was removed.
func Check(dir, want string, update bool) error {
	lines, err := Dir(dir)
	if err != nil {
		return err
	}
	got := strings.Join(lines, "\n") + "\n"
	if update {
		return os.WriteFile(want, []byte(got), 0o644)
	}
	old, err := os.ReadFile(want)
	if err != nil {
		return fmt.Errorf("%w (create it with go test -run TestAPI -update-api)", err)
	}
	if string(old) == got {
		return nil
	}
	before := strings.Split(strings.TrimSuffix(string(old), "\n"), "\n")
	var msg strings.Builder
	for _, l := range lines {
		if !slices.Contains(before, l) {
			fmt.Fprintf(&msg, "\n+ %s", l)
		}
	}
	for _, l := range before {
		if !slices.Contains(lines, l) {
			fmt.Fprintf(&msg, "\n- %s", l)
		}
	}
	return fmt.Errorf("the exported API differs from %s; if on purpose, run go test -run TestAPI -update-api and commit the file:%s", want, msg.String())
}
