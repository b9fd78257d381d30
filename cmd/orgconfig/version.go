package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; otherwise it comes from
// the module's build information.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

type versionCommand struct{ stdout io.Writer }

func (c *versionCommand) ParseFlags(args []string) error {
	fs := newFlagSet("version", "Prints orgconfig's version and the Go version it was built with.", c.stdout)
	return fs.Parse(args)
}

func (c *versionCommand) Run(ctx context.Context) error {
	fmt.Fprintf(c.stdout, "orgconfig %s (%s %s/%s)\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
