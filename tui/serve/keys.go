package serve

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// authKey is one line of an authorized_keys file.
type authKey struct {
	key     gossh.PublicKey
	comment string
	line    int
}

// KeyFile is an OpenSSH authorized_keys file, read again whenever it changes on disk, so that
// adding or removing a key needs no restart. When it cannot be read or parsed any more, it
// authorises nobody until it is fixed (it fails closed).
type KeyFile struct {
	path string

	mu      sync.Mutex
	mod     time.Time
	size    int64
	keys    []authKey
	err     error
	checked time.Time
}

// LoadKeyFile reads an authorized_keys file; a line that is not a key is an error naming the
// file and line.
func LoadKeyFile(path string) (*KeyFile, error) {
	k := &KeyFile{path: path}
	if err := k.reload(); err != nil {
		return nil, err
	}
	return k, nil
}

// Len returns the number of keys.
func (k *KeyFile) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.keys)
}

// Lookup returns the comment of key when the file lists it.
func (k *KeyFile) Lookup(key gossh.PublicKey) (comment string, ok bool) {
	if k == nil || key == nil {
		return "", false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if time.Since(k.checked) > time.Second {
		// Stat at most once a second: a burst of connections does not hammer the disk.
		k.checked = time.Now()
		fi, err := os.Stat(k.path)
		switch {
		case err != nil:
			k.keys, k.err = nil, err
		case !fi.ModTime().Equal(k.mod) || fi.Size() != k.size || k.err != nil:
			k.reloadLocked()
		}
	}
	want := key.Marshal()
	for _, a := range k.keys {
		if bytes.Equal(a.key.Marshal(), want) {
			return a.comment, true
		}
	}
	return "", false
}

func (k *KeyFile) reload() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.reloadLocked()
	k.checked = time.Now()
	return k.err
}

func (k *KeyFile) reloadLocked() {
	k.keys, k.err = nil, nil
	fi, err := os.Stat(k.path)
	if err != nil {
		k.err = fmt.Errorf("%s: %w", k.path, unwrapPath(err))
		return
	}
	data, err := os.ReadFile(k.path)
	if err != nil {
		k.err = fmt.Errorf("%s: %w", k.path, unwrapPath(err))
		return
	}
	k.mod, k.size = fi.ModTime(), fi.Size()
	keys, err := parseAuthorizedKeys(k.path, data)
	k.keys, k.err = keys, err
}

func parseAuthorizedKeys(path string, data []byte) ([]authKey, error) {
	var keys []authKey
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, comment, _, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: not an OpenSSH public key (%v)", path, n, err)
		}
		keys = append(keys, authKey{key: key, comment: comment, line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return keys, nil
}

// LoadOrCreateHostKey returns the server's host key from path, generating an ed25519 key there
// (mode 0600) when the file does not exist. An existing key that others may read is refused,
// as OpenSSH does.
func LoadOrCreateHostKey(path string) (gossh.Signer, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		s, err := createHostKey(path)
		return s, true, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %w", path, unwrapPath(err))
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %w", path, unwrapPath(err))
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, false, fmt.Errorf("host key %s: others may read it (mode %04o); run chmod 600 %s", path, perm, path)
	}
	s, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %w", path, err)
	}
	return s, false, nil
}

func createHostKey(path string) (gossh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "hark serve host key")
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, unwrapPath(err))
	}
	if _, err := f.Write(pem.EncodeToMemory(block)); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	return gossh.NewSignerFromKey(priv)
}
