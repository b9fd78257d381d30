package console

import (
	"go/build"
	"path/filepath"
	"strings"
	"testing"
)

// TestConsoleDoesNotDependOnTheStore: the console is handed its cookie key and its list of
// revoked sessions; neither it nor any orgconfig package it imports reaches the store, so that
// every page reads and writes through the AWS API.
func TestConsoleDoesNotDependOnTheStore(t *testing.T) {
	const module = "github.com/orgconfig/orgconfig/"
	const forbidden = module + "internal/store"
	seen := map[string]bool{}
	var walk func(path, dir string, chain []string)
	walk = func(path, dir string, chain []string) {
		if seen[path] {
			return
		}
		seen[path] = true
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, imp := range pkg.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			via := append(chain[:len(chain):len(chain)], imp)
			if imp == forbidden || strings.HasPrefix(imp, forbidden+"/") {
				t.Errorf("console imports %s", strings.Join(via, " -> "))
				continue
			}
			walk(imp, filepath.Join("..", "..", filepath.FromSlash(strings.TrimPrefix(imp, module))), via)
		}
	}
	walk(module+"internal/console", ".", []string{module + "internal/console"})
}
