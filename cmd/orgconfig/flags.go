package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// newFlagSet returns a flag set whose help names the command and its purpose.
func newFlagSet(name, synopsis string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: orgconfig %s\n\n%s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// stringFlag defines a string flag whose default comes from an environment variable.
func stringFlag(fs *flag.FlagSet, p *string, name, env, def, usage string) {
	if v, ok := os.LookupEnv(env); ok && v != "" {
		def = v
	}
	fs.StringVar(p, name, def, usage+" (env "+env+")")
}

// intFlag defines an integer flag whose default comes from an environment variable. A value of
// the variable that is not an integer is ignored, and --help shows the default in force.
func intFlag(fs *flag.FlagSet, p *int, name, env string, def int, usage string) {
	if v, err := strconv.Atoi(os.Getenv(env)); err == nil {
		def = v
	}
	fs.IntVar(p, name, def, usage+" (env "+env+")")
}

// boolFlag defines a boolean flag whose default comes from an environment variable (true, 1,
// false, 0, ...); a value that is not a boolean is ignored.
func boolFlag(fs *flag.FlagSet, p *bool, name, env string, def bool, usage string) {
	if v, err := strconv.ParseBool(os.Getenv(env)); err == nil {
		def = v
	}
	fs.BoolVar(p, name, def, usage+" (env "+env+")")
}

// secretFlag is stringFlag for secrets: the default shown in --help is masked.
func secretFlag(fs *flag.FlagSet, p *string, name, env, usage string) {
	*p = os.Getenv(env)
	fs.Func(name, usage+" (env "+env+"; prefer the environment: flags show up in process lists)", func(v string) error {
		*p = v
		return nil
	})
}

// splitList splits a comma-separated flag value.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
