package taurusjob_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// README's options table is where users look an option up: every option
// the package exports is in it, exactly once.
func TestReadmeListsEveryOptionOnce(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "### Options and their defaults\n")
	if !ok {
		t.Fatal(`README has no "### Options and their defaults" section`)
	}
	rows := map[string]int{}
	option := regexp.MustCompile("^\\| `([A-Za-z]+)\\(")
	inTable := false
	for line := range strings.Lines(section) {
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break // the table ended
			}
			continue
		}
		inTable = true
		for _, m := range option.FindAllStringSubmatch(line, -1) {
			rows[m[1]]++
		}
	}
	for _, name := range exportedOptions(t) {
		if rows[name] != 1 {
			t.Errorf("option %s is in README's options table %d times; want once", name, rows[name])
		}
	}
}

// exportedOptions lists the package's exported functions that return an
// Option, from its source.
func exportedOptions(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob("*.go")
	var names []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !fn.Name.IsExported() || fn.Type.Results == nil || len(fn.Type.Results.List) != 1 {
				continue
			}
			if id, ok := fn.Type.Results.List[0].Type.(*ast.Ident); ok && id.Name == "Option" {
				names = append(names, fn.Name.Name)
			}
		}
	}
	if len(names) < 10 {
		t.Fatalf("found only %d options in the source: %v", len(names), names)
	}
	return names
}

// README's Architecture table is how a newcomer finds the code: every file
// and folder it names exists, and every source file of the package, every
// internal package and every top-level folder is named in it.
func TestReadmeArchitectureMatchesTheFiles(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Architecture\n")
	if !ok {
		t.Fatal(`README has no "## Architecture" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	named := map[string]bool{}
	cell := regexp.MustCompile("`([A-Za-z0-9_./-]+)`")
	for line := range strings.Lines(section) {
		first, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " |")
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		for _, m := range cell.FindAllStringSubmatch(first, -1) {
			path := strings.TrimSuffix(m[1], "/")
			named[path] = true
			if _, err := os.Stat(path); err != nil {
				t.Errorf("the Architecture table names %s, which does not exist", m[1])
			}
		}
	}
	var want []string
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			want = append(want, f)
		}
	}
	dirs, _ := filepath.Glob("internal/*")
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && e.Name() != "internal" {
			dirs = append(dirs, e.Name())
		}
	}
	for _, p := range want {
		if !named[p] {
			t.Errorf("the Architecture table does not name %s", p)
		}
	}
	for _, d := range dirs {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(named)), func(n string) bool { return n == d || strings.HasPrefix(n, d+"/") }) {
			t.Errorf("the Architecture table does not name %s/ or anything in it", d)
		}
	}
}
