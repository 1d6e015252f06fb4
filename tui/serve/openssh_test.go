package serve

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/hark-audio/hark/views/tuitest"
)

// opensshKey writes a fresh ed25519 key as an OpenSSH private key file and returns the file
// and its signer.
func opensshKey(t *testing.T, dir, name string) (string, gossh.Signer) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return path, s
}

// sshCommand is the OpenSSH client, with no user configuration, checking the server's host
// key against a known_hosts file that holds only it.
func (e *testEnv) sshCommand(t *testing.T, keyFile string) *exec.Cmd {
	t.Helper()
	path, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("no OpenSSH client (ssh) on this machine")
	}
	host, port, _ := net.SplitHostPort(e.addr)
	home := t.TempDir()
	known := filepath.Join(home, "known_hosts")
	line := "[" + host + "]:" + port + " " + string(gossh.MarshalAuthorizedKey(e.srv.host.PublicKey()))
	if err := os.WriteFile(known, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "-F", "/dev/null", "-tt", "-p", port, "-i", keyFile,
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "PasswordAuthentication=no",
		"-o", "KbdInteractiveAuthentication=no", "-o", "UserKnownHostsFile="+known,
		"-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
		"-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "tester@"+host)
	cmd.Env = []string{"HOME=" + home, "TERM=xterm-256color", "PATH=" + os.Getenv("PATH")}
	return cmd
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	scr *tuitest.Screen
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.scr != nil {
		b.scr.Write(p)
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) text() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.scr != nil {
		return b.scr.Text()
	}
	return b.buf.String()
}

func TestOpenSSHClient(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	good, key := opensshKey(t, dir, "id_good")
	bad, _ := opensshKey(t, dir, "id_bad")
	write(t, filepath.Join(e.dir, "authorized_keys"), authorizedLine(key, "carol"))
	future := time.Now().Add(2 * time.Second)
	os.Chtimes(filepath.Join(e.dir, "authorized_keys"), future, future)
	time.Sleep(1100 * time.Millisecond) // the key file is re-read at most once a second

	// The authorised key opens the workbench; q closes it and ssh exits 0.
	cmd := e.sshCommand(t, good)
	out := &syncBuffer{scr: tuitest.NewScreen(80, 24)}
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &errOut
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(liveness)
	for !hasTabBar(out.text()) {
		select {
		case err := <-done:
			t.Fatalf("ssh ended early: %v\n%s\n%s", err, errOut.String(), out.text())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no workbench over OpenSSH; screen:\n%s\nstderr: %s", out.text(), errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	io.WriteString(stdin, "q")
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ssh after q: %v (%s)", err, errOut.String())
		}
	case <-time.After(liveness):
		cmd.Process.Kill()
		t.Fatal("ssh did not end after q")
	}

	// Another key is refused.
	cmd = e.sshCommand(t, bad)
	cmd.Stdin = strings.NewReader("")
	msg, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 255 || !strings.Contains(string(msg), "Permission denied") {
		t.Errorf("a key not authorised: %v, %q; want exit 255 and Permission denied", err, msg)
	}
}
