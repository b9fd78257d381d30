package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "orgconfig:", err)
		os.Exit(1)
	}
}

// command is one subcommand: it parses its flags, then runs.
type command interface {
	ParseFlags(args []string) error
	Run(ctx context.Context) error
}

const usage = `orgconfig: a self-hosted AWS Config with multi-account, multi-region aggregation,
integrated with AWS Organizations.

Usage:
  orgconfig <command> [flags]

Commands:
  serve      run the server (the main job)
  accounts   create and list the standalone accounts the server hosts
  import     load AWS Config snapshot and history files (any resource type)
  query      run an advanced query (SelectResourceConfig) against a server
  version    print the version

Run 'orgconfig <command> --help' for the flags of a command. Every flag also has an
ORGCONFIG_* environment variable, shown in the command's help.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	var cmd command
	switch args[0] {
	case "serve":
		cmd = &serveCommand{stdout: stdout, stderr: stderr}
	case "accounts":
		cmd = &accountsCommand{stdout: stdout, stderr: stderr}
	case "import":
		cmd = &importCommand{stdout: stdout, stderr: stderr}
	case "query":
		cmd = &queryCommand{stdout: stdout, stderr: stderr}
	case "version", "--version", "-version":
		cmd = &versionCommand{stdout: stdout}
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
	if err := cmd.ParseFlags(args[1:]); err != nil {
		return err
	}
	return cmd.Run(ctx)
}
