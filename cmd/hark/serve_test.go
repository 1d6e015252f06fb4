package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// lockedBuffer is a bytes.Buffer that the server's goroutines may write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestServeFlagErrors(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	os.WriteFile(keys, []byte("# nobody yet\n"), 0o600)
	bad := filepath.Join(dir, "bad-keys")
	os.WriteFile(bad, []byte("ssh-ed25519 AAAA-not-a-key\n"), 0o600)
	host := filepath.Join(dir, "host")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--authorized-keys", keys}, exitUsage, "--host-key FILE is required"},
		{[]string{"--host-key", host}, exitUsage, "--authorized-keys FILE is required"},
		{[]string{"--host-key", host, "--allow-anonymous", "--listen", ":2222"}, exitUser, "--allow-anonymous refused"},
		{[]string{"--host-key", host, "--authorized-keys", keys, "--data", filepath.Join(dir, "none")}, exitUser, "--data " + filepath.Join(dir, "none")},
		{[]string{"--host-key", host, "--authorized-keys", bad, "--data", dir, "--runs", filepath.Join(dir, "runs")}, exitUser, bad + ":1:"},
		{[]string{"--host-key", host, "--authorized-keys", keys, "--max-sessions", "0"}, exitUser, "--max-sessions 0"},
		{[]string{"--host-key", host, "--authorized-keys", keys, "extra"}, exitUsage, `unexpected argument "extra"`},
	} {
		var stdout, stderr bytes.Buffer
		code := runServe(c.args, &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.want) || stdout.Len() != 0 {
			t.Errorf("hark serve %s: exit %d, stderr %q; want %d and %q", strings.Join(c.args, " "), code, stderr.String(), c.code, c.want)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := runServe([]string{"--help"}, &stdout, &stderr); code != exitOK || !strings.Contains(stdout.String(), "Usage: hark serve") {
		t.Errorf("--help: %d, %q", code, stdout.String())
	}
}

func TestServeUntilSIGTERM(t *testing.T) {
	dir := t.TempDir()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600)
	data := filepath.Join(dir, "data", "a")
	os.MkdirAll(data, 0o755)
	runs := filepath.Join(dir, "runs")
	var stdout lockedBuffer
	stderr := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- runServe([]string{"--listen", "127.0.0.1:0", "--authorized-keys", keys, "--host-key",
			filepath.Join(dir, "host_key"), "--data", filepath.Join(dir, "data"), "--runs", runs}, &stdout, stderr)
	}()
	listening := regexp.MustCompile(`listening on (\S+), host key (SHA256:\S+)`)
	var m []string
	deadline := time.Now().Add(liveness)
	for m == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
		m = listening.FindStringSubmatch(stderr.String())
	}
	if !strings.Contains(stderr.String(), "created the host key") {
		t.Errorf("no word of the new host key: %s", stderr.String())
	}
	if fi, err := os.Stat(filepath.Join(dir, "host_key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key: %v", err)
	}
	c, err := gossh.Dial("tcp", m[1], &gossh.ClientConfig{User: "me", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error {
			if gossh.FingerprintSHA256(key) != m[2] {
				t.Errorf("host key %s, the server said %s", gossh.FingerprintSHA256(key), m[2])
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, _ := c.NewSession()
	var out, errOut lockedBuffer
	sess.Stdout, sess.Stderr = &out, &errOut
	sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{})
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(out.String(), "Datasets") {
		if time.Now().After(deadline) {
			t.Fatalf("no workbench: %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after SIGTERM: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not stop on SIGTERM: %s", stderr.String())
	}
	sess.Wait()
	if !strings.Contains(errOut.String(), "the server is shutting down") {
		t.Errorf("the session was told %q", errOut.String())
	}
	if !strings.Contains(stderr.String(), "runs recorded in") {
		t.Errorf("stderr: %s", stderr.String())
	}
	if files, _ := filepath.Glob(filepath.Join(runs, "serve-*.json")); len(files) != 1 {
		t.Errorf("session files %v", files)
	}
}
