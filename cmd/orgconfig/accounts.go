package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/store"
)

// accountsCommand manages the standalone accounts of a data store directly (the server may be
// running: the store handles concurrent processes).
type accountsCommand struct {
	stdout, stderr io.Writer

	sub         string
	dataDir     string
	databaseURL string
	keyFile     string
	id          string
	name        string
	email       string
}

const accountsSynopsis = `Creates and lists the accounts orgconfig hosts. A created account is a standalone AWS account
outside any organization, with its own root credentials (printed once as export lines).

  orgconfig accounts create [--id 111122223333] [--name N] [--email E]
  orgconfig accounts list`

func (c *accountsCommand) ParseFlags(args []string) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "list") {
		fs := newFlagSet("accounts create|list [flags]", accountsSynopsis, c.stderr)
		fs.Usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return flag.ErrHelp
		}
		return errors.New("accounts needs a subcommand: create or list")
	}
	c.sub = args[0]
	fs := newFlagSet("accounts "+c.sub+" [flags]", accountsSynopsis, c.stderr)
	stringFlag(fs, &c.dataDir, "data-dir", "ORGCONFIG_DATA_DIR", "./orgconfig-data", "the server's data directory")
	stringFlag(fs, &c.databaseURL, "database-url", "ORGCONFIG_DATABASE_URL", "", "the server's PostgreSQL URL, when it uses one")
	stringFlag(fs, &c.keyFile, "secrets-key-file", "ORGCONFIG_SECRETS_KEY_FILE", "", "the key file that seals secrets at rest (default <data-dir>/secrets.key; keep it apart from database backups)")
	if c.sub == "create" {
		fs.StringVar(&c.id, "id", "", "12-digit account ID (default: random)")
		fs.StringVar(&c.name, "name", "", "account name (default: account-<id>)")
		fs.StringVar(&c.email, "email", "", "root user's email (default: root+<id>@example.com)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return nil
}

func (c *accountsCommand) Run(ctx context.Context) error {
	st, err := server.OpenStore(ctx, server.Options{DataDir: c.dataDir, DatabaseURL: c.databaseURL})
	if err != nil {
		return err
	}
	defer st.Close()
	key, err := server.OpenSealKey(ctx, st, server.Options{DataDir: c.dataDir, DatabaseURL: c.databaseURL, SecretsKeyFile: c.keyFile})
	if err != nil {
		return err
	}
	dir := identity.NewDirectory(st, clock.System{}, ids.NewRandom(), key)
	if c.sub == "create" {
		return c.create(ctx, dir)
	}
	return c.list(ctx, dir, st)
}

func (c *accountsCommand) create(ctx context.Context, dir *identity.Directory) error {
	if _, err := dir.BootstrapAccount(ctx); err != nil {
		return errors.New("this data store has not been initialized: start 'orgconfig serve' on it once first")
	}
	a, cred, err := dir.CreateAccount(ctx, c.id, c.name, c.email, "cli")
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Created account %s (%s, %s). Its root credentials:\n\nexport AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n",
		a.ID, a.Name, a.Email, cred.AccessKeyID, cred.SecretAccessKey)
	return nil
}

func (c *accountsCommand) list(ctx context.Context, dir *identity.Directory, st store.Store) error {
	accts, err := dir.Accounts(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT ID\tNAME\tEMAIL\tCREATED\tORIGIN\tROOT ACCESS KEYS")
	for _, a := range accts {
		creds, err := dir.RootCredentials(ctx, a.ID)
		if err != nil {
			return err
		}
		keys := ""
		for i, k := range creds {
			if i > 0 {
				keys += ","
			}
			keys += k.AccessKeyID
		}
		if keys == "" {
			keys = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Name, a.Email, a.Created.Format("2006-01-02T15:04:05Z"), a.Origin, keys)
	}
	return tw.Flush()
}
