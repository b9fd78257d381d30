package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgconfig/orgconfig/internal/server"
)

// Target names.
const (
	targetBare      = "bare"
	targetOrgconfig = "orgconfig"
	targetMoto      = "moto"
)

// Credentials of the in-process orgconfig's bootstrap account.
const (
	benchAccount = "111111111111"
	benchKey     = "AKIAORGCONFIGBENCH01"
	benchSecret  = "orgconfig/bench/secret/key/0000000000000"
)

// Target is a server the harness measures, listening on 127.0.0.1.
type Target struct {
	Name     string
	Endpoint string
	Creds    aws.Credentials
	// Note describes how it runs, for the report.
	Note  string
	close func() error
}

// Close stops the target.
func (t *Target) Close() error {
	if t.close == nil {
		return nil
	}
	return t.close()
}

func listenLoopback() (net.Listener, error) {
	return net.Listen("tcp", "127.0.0.1:0")
}

// serveLabeled serves h on ln in a goroutine whose CPU samples carry the pprof label
// side=<side> (the connection goroutines inherit it), so a profile of the whole process can be
// split into client and server with -tagfocus.
func serveLabeled(side string, srv interface{ Serve(net.Listener) error }, ln net.Listener) <-chan error {
	done := make(chan error, 1)
	go pprof.Do(context.Background(), pprof.Labels("side", side), func(context.Context) {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		done <- err
	})
	return done
}

// startOrgconfig runs a complete orgconfig server in this process: SQLite in a temporary data
// directory, strict authentication, and either no logging at all (slog.DiscardHandler) or, with
// -log, one info line per request formatted by slog's text handler into io.Discard (the
// formatting cost of the default logger, without the I/O).
func startOrgconfig(ctx context.Context, o *Options) (*Target, error) {
	dir, err := os.MkdirTemp("", "orgconfig-bench-")
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.DiscardHandler)
	logNote := "logging off (slog.DiscardHandler)"
	if o.Log {
		logger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
		logNote = "logging at info through slog.TextHandler into io.Discard"
	}
	srv, err := server.New(ctx, server.Options{
		DataDir:   dir,
		AccountID: benchAccount, RootAccessKeyID: benchKey, RootSecretAccessKey: benchSecret,
		Logger: logger, Version: "bench",
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ln, err := listenLoopback()
	if err != nil {
		_ = srv.Shutdown(ctx)
		os.RemoveAll(dir)
		return nil, err
	}
	done := serveLabeled("server", srv, ln)
	return &Target{
		Name:     targetOrgconfig,
		Endpoint: "http://" + ln.Addr().String(),
		Creds:    credentials(benchKey, benchSecret),
		Note:     "in-process internal/server, SQLite in a temp dir, strict SigV4, " + logNote,
		close: func() error {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := srv.Shutdown(sctx)
			if serr := <-done; err == nil {
				err = serr
			}
			os.RemoveAll(dir)
			return err
		},
	}, nil
}

// startBare runs the baseline: a bare net/http handler that reads the body, decodes it (JSON
// for X-Amz-Target calls, the form for Query calls), and writes a small JSON answer with the
// headers an AWS answer has (Content-Type, x-amzn-RequestId with a random UUID, Content-Length).
// It verifies no signature: it is what any HTTP JSON service costs on this machine.
func startBare(ctx context.Context, o *Options) (*Target, error) {
	ln, err := listenLoopback()
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: http.HandlerFunc(bareHandler), ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}
	done := serveLabeled("bare", hs, ln)
	return &Target{
		Name:     targetBare,
		Endpoint: "http://" + ln.Addr().String(),
		Creds:    credentials(benchKey, benchSecret),
		Note:     "in-process net/http handler: read body, decode JSON (or form), write a small JSON answer",
		close: func() error {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := hs.Shutdown(sctx)
			if serr := <-done; err == nil {
				err = serr
			}
			return err
		},
	}, nil
}

type bareAnswer struct {
	Operation string `json:"Operation"`
	RequestID string `json:"RequestId"`
}

func bareHandler(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	var op string
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		var in map[string]any
		if err := json.Unmarshal(body, &in); err != nil {
			http.Error(w, "bad JSON", http.StatusBadRequest)
			return
		}
		_, op, _ = strings.Cut(target, ".")
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		op = form.Get("Action")
	}
	id := newUUID()
	out, _ := json.Marshal(bareAnswer{Operation: op, RequestID: id})
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-RequestId", id)
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// newUUID returns a random (version 4) UUID, as request IDs are.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// findMoto returns the moto_server executable: -moto-server, else PATH, else ~/.pyenv/shims.
func findMoto(o *Options) (string, error) {
	if o.MotoServer != "" {
		return o.MotoServer, nil
	}
	if p, err := exec.LookPath("moto_server"); err == nil {
		return p, nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".pyenv", "shims", "moto_server")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			// The shim only works if pyenv has a Python that provides moto_server.
			if exec.Command(p, "--help").Run() == nil {
				return p, nil
			}
		}
	}
	return "", errors.New("moto_server not found in PATH or ~/.pyenv/shims (pip install 'moto[server]')")
}

// startMoto runs moto_server as a child process on a free loopback port. Its lifetime is
// bounded: it is killed (by its PID) on Close, when lifetime has passed, and by the kernel if
// this process dies (Pdeathsig).
func startMoto(ctx context.Context, o *Options, lifetime time.Duration) (*Target, error) {
	path, err := findMoto(o)
	if err != nil {
		return nil, err
	}
	ln, err := listenLoopback()
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_DEFAULT_REGION=us-east-1")
	cmd.Stdout, cmd.Stderr = nil, nil // /dev/null: moto logs every request
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	pid := cmd.Process.Pid
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	kill := func() {
		select {
		case <-exited:
		default:
			_ = syscall.Kill(pid, syscall.SIGKILL)
			<-exited
		}
	}
	timer := time.AfterFunc(lifetime, kill)
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)

	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil}}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			timer.Stop()
			return nil, fmt.Errorf("%s exited before answering", path)
		default:
		}
		resp, err := client.Get(endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			timer.Stop()
			kill()
			return nil, fmt.Errorf("%s did not answer within 60s: %v", path, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	version := ""
	if out, err := exec.Command(filepath.Join(filepath.Dir(path), "python3"), "-c", "import moto; print(moto.__version__)").Output(); err == nil {
		version = " " + strings.TrimSpace(string(out))
	}
	return &Target{
		Name:     targetMoto,
		Endpoint: endpoint,
		Creds:    credentials("testing", "testing"),
		Note:     fmt.Sprintf("moto_server%s, child process, werkzeug, request log to /dev/null", version),
		close: func() error {
			timer.Stop()
			kill()
			return nil
		},
	}, nil
}
