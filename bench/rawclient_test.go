package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestRawClientFraming: the raw client reads Content-Length, chunked and close-delimited
// answers, and reconnects after Connection: close.
func TestRawClientFraming(t *testing.T) {
	answers := []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-Amzn-ErrorType: Foo\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n",
		"HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno",
		"HTTP/1.0 200 OK\r\n\r\nuntil close",
		"HTTP/1.1 204 No Content\r\n\r\n",
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var got []string
	reqs := make(chan string, len(answers))
	go func() {
		next := 0
		for next < len(answers) {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			br := bufio.NewReader(conn)
			for next < len(answers) {
				req, err := http.ReadRequest(br)
				if err != nil {
					break
				}
				body, _ := io.ReadAll(req.Body)
				reqs <- req.Method + " " + req.URL.RequestURI() + " " + req.Host + " " + req.Header.Get("X-Test") + " " + string(body)
				a := answers[next]
				next++
				conn.Write([]byte(a))
				if strings.Contains(a, "Connection: close") || strings.HasPrefix(a, "HTTP/1.0") {
					break
				}
			}
			conn.Close()
		}
	}()
	u, _ := url.Parse("http://" + ln.Addr().String() + "/p?q=1")
	req := serialize(http.MethodPost, &signedRequest{url: u, header: http.Header{"X-Test": {"v"}}, body: []byte("{}")})
	c := &rawConn{addr: ln.Addr().String(), deadline: time.Now().Add(10 * time.Second)}
	defer c.Close()
	want := []struct {
		status int
		body   string
	}{{200, "hello"}, {201, "abcde"}, {400, "no"}, {200, "until close"}, {204, ""}}
	for i, w := range want {
		a, err := c.do(context.Background(), req, true)
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		if a.status != w.status || string(a.body) != w.body {
			t.Errorf("answer %d: %d %q, want %d %q", i, a.status, a.body, w.status, w.body)
		}
		if i == 1 && a.header.Get("X-Amzn-Errortype") != "Foo" {
			t.Errorf("answer 1: header %v", a.header)
		}
		got = append(got, <-reqs)
	}
	if want := "POST /p?q=1 " + ln.Addr().String() + " v {}"; got[0] != want {
		t.Errorf("request %q, want %q", got[0], want)
	}
	if c.dials != 3 {
		t.Errorf("%d connections, want 3 (reconnect after Connection: close and after the HTTP/1.0 answer)", c.dials)
	}
}

// TestControlSmokeNetHTTP: the net/http client still drives the control scenario.
func TestControlSmokeNetHTTP(t *testing.T) {
	o, err := parseFlags([]string{"-scenario", "control", "-targets", "bare,orgconfig", "-duration", "150ms", "-warmup", "50ms", "-concurrency", "2", "-client", "nethttp"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := run(context.Background(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Cells {
		if c.Skipped != "" || c.Requests == 0 || c.Errors != 0 || c.Answer.Status != 200 || c.Dials != 0 {
			t.Errorf("cell %s on %s: %+v", c.Call, c.Target, c)
		}
	}
}
