package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/tui"
)

// Config configures a Server. Listen, HostKey and Hub are required, and AuthorizedKeys unless
// AllowAnonymous is set.
type Config struct {
	// Listen is the TCP address to listen on ("127.0.0.1:2222", ":2222").
	Listen string
	// AuthorizedKeys is an OpenSSH authorized_keys file: these keys may do everything.
	AuthorizedKeys string
	// ReadOnlyKeys is an authorized_keys file of keys that may watch and inspect runs but not
	// start or stop them. A key in both files is read-only.
	ReadOnlyKeys string
	// HostKey is the server's private key, generated (ed25519, mode 0600) when absent.
	HostKey string
	// Data are the served dataset folders: a remote user can open nothing outside them.
	Data []string
	// DemoDir, when Data is empty, is the demo dataset's folder, served alone.
	DemoDir string
	// AllowAnonymous lets clients without an authorised key in, read-only. It is refused
	// unless Listen is a loopback address.
	AllowAnonymous bool
	// MaxSessions bounds the sessions open at once (0 means 32); further ones are told so and
	// closed.
	MaxSessions int
	// IdleTimeout ends a session that has had no input for this long (0 means never).
	IdleTimeout time.Duration
	// Hub is the engine every session shares; Shutdown shuts it down.
	Hub *engine.Hub
	// Logger receives a record per connection and refusal; nil discards them.
	Logger *slog.Logger
	// FPS bounds each session's frames per second (0 means 20).
	FPS int
	// NoMouse leaves the mouse to the clients' terminals (tui.Options.NoMouse).
	NoMouse bool
}

// DefaultMaxSessions is the session limit when Config.MaxSessions is 0.
const DefaultMaxSessions = 32

// Server serves the workbench over SSH.
type Server struct {
	cfg   Config
	roots *Roots
	full  *KeyFile
	ro    *KeyFile
	host  gossh.Signer
	log   *slog.Logger
	ssh   *ssh.Server
	// Created reports whether New generated the host key.
	Created bool

	mu       sync.Mutex
	sessions map[*session]struct{}
	closing  bool

	conns    atomic.Int64 // connections open
	bytesOut atomic.Int64 // bytes written to every connection, SSH framing included
	served   atomic.Int64 // sessions ever started

	// onSession, when set (tests), is given each session's engine as its workbench is built.
	onSession func(*UserEngine)
}

// session is one SSH session's workbench.
type session struct {
	user      string
	access    Access
	prog      atomic.Pointer[tea.Program]
	lastInput atomic.Int64 // unix nanoseconds
	reason    atomic.Pointer[string]
	conn      *countConn
}

func (st *session) end(reason string) {
	st.reason.CompareAndSwap(nil, &reason)
	if p := st.prog.Load(); p != nil {
		// Send blocks until the program's loop takes the message, and returns at once once
		// the program has ended.
		go p.Quit()
	}
}

type ctxKey struct{ name string }

var (
	keySession = &ctxKey{"hark-session"}
	keyConn    = &ctxKey{"hark-conn"}
)

// New checks the configuration, reads the key files and loads or creates the host key.
func New(cfg Config) (*Server, error) {
	if cfg.Hub == nil {
		return nil, errors.New("serve: no engine hub")
	}
	if cfg.Listen == "" {
		return nil, errors.New("--listen is required (for example 127.0.0.1:2222)")
	}
	if cfg.HostKey == "" {
		return nil, errors.New("--host-key is required: the file keeping the server's key (created when absent)")
	}
	if cfg.AllowAnonymous && !IsLoopback(cfg.Listen) {
		return nil, fmt.Errorf("--allow-anonymous refused: --listen %s is reachable from other machines; anonymous access is only for a loopback address (127.0.0.1, [::1], localhost)", cfg.Listen)
	}
	if cfg.AuthorizedKeys == "" && !cfg.AllowAnonymous {
		return nil, errors.New("--authorized-keys is required: the OpenSSH authorized_keys file of the keys let in")
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.FPS <= 0 {
		cfg.FPS = 20
	}
	s := &Server{cfg: cfg, log: cfg.Logger, sessions: map[*session]struct{}{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if cfg.AuthorizedKeys != "" {
		if s.full, err = LoadKeyFile(cfg.AuthorizedKeys); err != nil {
			return nil, fmt.Errorf("--authorized-keys %w", err)
		}
	}
	if cfg.ReadOnlyKeys != "" {
		if s.ro, err = LoadKeyFile(cfg.ReadOnlyKeys); err != nil {
			return nil, fmt.Errorf("--read-only-keys %w", err)
		}
	}
	roots := cfg.Data
	if len(roots) == 0 && cfg.DemoDir != "" {
		roots = []string{cfg.DemoDir}
	}
	if len(roots) == 0 {
		return nil, errors.New("serve: no --data folder and no demo dataset to serve")
	}
	if s.roots, err = NewRoots(roots); err != nil {
		return nil, err
	}
	if s.host, s.Created, err = LoadOrCreateHostKey(cfg.HostKey); err != nil {
		return nil, err
	}
	s.ssh, err = wish.NewServer(
		wish.WithAddress(cfg.Listen),
		wish.WithVersion("hark"),
		func(srv *ssh.Server) error { srv.AddHostKey(s.host); return nil },
		wish.WithPublicKeyAuth(s.publicKeyAuth),
		func(srv *ssh.Server) error {
			if cfg.AllowAnonymous {
				srv.KeyboardInteractiveHandler = func(ssh.Context, gossh.KeyboardInteractiveChallenge) bool { return true }
			}
			return nil
		},
		ssh.WrapConn(s.wrapConn),
		// A backstop for connections that never open a session; the idle timeout proper is
		// counted from the user's input, since a watched run keeps the connection busy.
		wish.WithIdleTimeout(connTimeout(cfg.IdleTimeout)),
		wish.WithMiddleware(
			bm.MiddlewareWithProgramHandler(s.program),
			s.gate,
		),
	)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func connTimeout(idle time.Duration) time.Duration {
	if idle <= 0 {
		return 0
	}
	return idle + time.Minute
}

// HostKeyFingerprint returns the SHA256 fingerprint of the host key, for users to check on
// their first connection.
func (s *Server) HostKeyFingerprint() string { return gossh.FingerprintSHA256(s.host.PublicKey()) }

// Roots returns the served folders, resolved.
func (s *Server) Roots() []string { return s.roots.Dirs() }

// IsLoopback reports whether a listen address only accepts connections from this machine.
// An empty host (all interfaces) is not loopback; a name must resolve to loopback addresses only.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	host = strings.Trim(host, "[]")
	if host == "" {
		return false
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	if host != "localhost" {
		return false
	}
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return false
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return false
		}
	}
	return true
}

// Serve serves on ln until Shutdown; it returns ssh.ErrServerClosed then.
func (s *Server) Serve(ln net.Listener) error {
	if s.cfg.AllowAnonymous && !IsLoopback(ln.Addr().String()) {
		ln.Close()
		return fmt.Errorf("--allow-anonymous refused: %s is reachable from other machines", ln.Addr())
	}
	return s.ssh.Serve(ln)
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = ssh.ErrServerClosed

// Shutdown stops accepting connections, ends every session with a message saying why, shuts
// the hub down (the running job stops and saves what it has) and closes the connections. It
// returns when all that is done or ctx ends, whichever comes first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for st := range s.sessions {
		st.end("the server is shutting down")
	}
	s.mu.Unlock()
	closed := make(chan error, 1)
	go func() { closed <- s.ssh.Shutdown(ctx) }() // closes the listeners at once
	hub := make(chan error, 1)
	go func() { hub <- s.cfg.Hub.Shutdown(ctx) }()
	// Sessions end as soon as their programs have quit.
	for s.Stats().Sessions > 0 && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	// Clients close their connections once their last session has ended; give them a moment,
	// then close whatever is left (idle or unauthenticated connections).
	var serr error
	select {
	case serr = <-closed:
	case <-time.After(time.Second):
		s.ssh.Close()
		serr = <-closed
	case <-ctx.Done():
		s.ssh.Close()
		serr = ctx.Err()
	}
	return errors.Join(<-hub, serr)
}

// Stats are the server's counters.
type Stats struct {
	// Sessions is the number open now; Served the number ever started.
	Sessions, Served int
	// BytesSent counts every byte written to the clients, SSH framing and encryption included.
	BytesSent int64
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	n := len(s.sessions)
	s.mu.Unlock()
	return Stats{Sessions: n, Served: int(s.served.Load()), BytesSent: s.bytesOut.Load()}
}

// access returns what a key may do, and the key's comment in its file; ok is false when it may
// not come in, anonymous true when it comes in only because anonymous access is allowed.
func (s *Server) access(key ssh.PublicKey) (a Access, comment string, anonymous, ok bool) {
	if c, found := s.ro.Lookup(key); found {
		return ReadOnly, c, false, true
	}
	if c, found := s.full.Lookup(key); found {
		return Full, c, false, true
	}
	if s.cfg.AllowAnonymous {
		return ReadOnly, "", true, true
	}
	return 0, "", false, false
}

func (s *Server) publicKeyAuth(ctx ssh.Context, key ssh.PublicKey) bool {
	_, _, _, ok := s.access(key)
	if !ok {
		s.log.Info("key refused", "user", ctx.User(), "remote", ctx.RemoteAddr().String(),
			"key", gossh.FingerprintSHA256(key))
	}
	return ok
}

// HandshakeTimeout is how long a connection has to authenticate and open its session.
const HandshakeTimeout = 30 * time.Second

// wrapConn counts a connection's bytes, refuses it when too many are open (most of them
// unauthenticated: a flood), and closes it when it has not opened a session in time.
func (s *Server) wrapConn(ctx ssh.Context, c net.Conn) net.Conn {
	if n := s.conns.Add(1); n > int64(4*s.cfg.MaxSessions+16) {
		s.conns.Add(-1)
		s.log.Warn("connection refused: too many open", "remote", c.RemoteAddr().String(), "open", n-1)
		return nil
	}
	cc := &countConn{Conn: c, total: &s.bytesOut, open: &s.conns}
	cc.timer = time.AfterFunc(HandshakeTimeout, func() {
		if !cc.inSession.Load() {
			s.log.Info("connection closed: no session in time", "remote", c.RemoteAddr().String())
			cc.Close()
		}
	})
	ctx.SetValue(keyConn, cc)
	return cc
}

// countConn counts the bytes written to a connection.
type countConn struct {
	net.Conn
	n         atomic.Int64
	total     *atomic.Int64
	open      *atomic.Int64
	inSession atomic.Bool
	timer     *time.Timer
	closed    sync.Once
}

func (c *countConn) Close() error {
	c.closed.Do(func() {
		c.timer.Stop()
		c.open.Add(-1)
	})
	return c.Conn.Close()
}

func (c *countConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	c.total.Add(int64(n))
	return n, err
}

// gate admits a session or tells the user why not: the server is closing or full, the key
// is no longer authorised, there is no terminal, or a command was asked for.
func (s *Server) gate(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		refuse := func(format string, args ...any) {
			msg := fmt.Sprintf(format, args...)
			io.WriteString(sess.Stderr(), "hark: "+msg+"\r\n")
			s.log.Info("session refused", "user", sess.User(), "remote", sess.RemoteAddr().String(), "why", msg)
			sess.Exit(1)
		}
		key := sess.PublicKey()
		access, comment, anonymous, ok := s.access(key)
		if !ok {
			refuse("this key is no longer authorised")
			return
		}
		if _, _, isPty := sess.Pty(); !isPty {
			refuse("the workbench needs a terminal: connect with ssh -t")
			return
		}
		if cmd := sess.RawCommand(); cmd != "" {
			refuse("hark serve runs only the workbench, not commands (%q)", cmd)
			return
		}
		// The run list names users by their key's comment in the key file (the server's
		// word), else by login name and key, never by a login name alone (the client's word).
		owner := comment
		switch {
		case anonymous:
			owner = "anonymous " + sess.User()
		case owner == "":
			owner = sess.User() + " (" + gossh.FingerprintSHA256(key)[:15] + ")"
		}
		st := &session{user: owner, access: access}
		st.lastInput.Store(time.Now().UnixNano())
		if cc, ok := sess.Context().Value(keyConn).(*countConn); ok {
			st.conn = cc
			cc.inSession.Store(true)
		}
		s.mu.Lock()
		switch {
		case s.closing:
			s.mu.Unlock()
			refuse("the server is shutting down")
			return
		case len(s.sessions) >= s.cfg.MaxSessions:
			s.mu.Unlock()
			refuse("the server is full (%d sessions, its --max-sessions); try again later", s.cfg.MaxSessions)
			return
		}
		s.sessions[st] = struct{}{}
		s.mu.Unlock()
		s.served.Add(1)
		fp := ""
		if key != nil {
			fp = gossh.FingerprintSHA256(key)
		}
		s.log.Info("session start", "user", owner, "login", sess.User(), "key", fp, "access", access.String(),
			"remote", sess.RemoteAddr().String())
		sess.Context().SetValue(keySession, st)

		stopIdle := s.watchIdle(st)
		next(sess)
		stopIdle()

		s.mu.Lock()
		delete(s.sessions, st)
		s.mu.Unlock()
		var sent int64
		if st.conn != nil {
			sent = st.conn.n.Load()
		}
		if r := st.reason.Load(); r != nil {
			io.WriteString(sess.Stderr(), "hark: "+*r+"; goodbye\r\n")
			s.log.Info("session end", "user", owner, "why", *r, "bytes_sent", sent)
			sess.Exit(1)
			return
		}
		s.log.Info("session end", "user", owner, "bytes_sent", sent)
	}
}

// watchIdle ends the session once it has had no input for the idle timeout.
func (s *Server) watchIdle(st *session) (stop func()) {
	idle := s.cfg.IdleTimeout
	if idle <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(min(idle/4, time.Second))
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-tick.C:
				if now.Sub(time.Unix(0, st.lastInput.Load())) >= idle {
					st.end(fmt.Sprintf("closed after %v without input (--idle-timeout)", idle))
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

// program builds a session's workbench: its own model, sized and coloured for the client's
// terminal, over the shared hub through the user's engine.
func (s *Server) program(sess ssh.Session) *tea.Program {
	st, _ := sess.Context().Value(keySession).(*session)
	if st == nil {
		return nil
	}
	pty, _, _ := sess.Pty()
	env := append(sess.Environ(), "TERM="+pty.Term)
	profile := colorprofile.Env(env)
	ue := &UserEngine{Hub: s.cfg.Hub, Roots: s.roots, Access: st.access, Owner: st.user}
	data := s.cfg.Data
	if len(data) == 0 {
		ue.DemoDir = s.roots.Dirs()[0]
	}
	if s.onSession != nil {
		s.onSession(ue)
	}
	m := tui.New(sess.Context(), tui.Options{
		Data:     data,
		Profile:  profile,
		Logger:   s.log.With("user", st.user),
		Engine:   ue.Engine(),
		ReadOnly: st.access == ReadOnly,
		NoMouse:  s.cfg.NoMouse,
	})
	opts := append(bm.MakeOptions(sess),
		tea.WithColorProfile(profile),
		tea.WithFPS(s.cfg.FPS),
		tea.WithoutSignalHandler(),
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			switch msg.(type) {
			case tea.SuspendMsg:
				return tea.ResumeMsg{} // there is no shell to suspend to
			case tea.KeyMsg, tea.MouseMsg, tea.PasteMsg, tea.WindowSizeMsg:
				st.lastInput.Store(time.Now().UnixNano())
			}
			return msg
		}),
	)
	if pty.Window.Width <= 0 || pty.Window.Height <= 0 {
		// A client without a terminal of its own (ssh -tt from a script) reports 0x0.
		opts = append(opts, tea.WithWindowSize(80, 24))
	}
	p := tea.NewProgram(m, opts...)
	st.prog.Store(p)
	// A session ended (shutdown, idle) while its program was being built.
	if st.reason.Load() != nil {
		go p.Quit()
	}
	return p
}
