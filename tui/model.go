package tui

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/browser"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/errors"
	"github.com/hark-audio/hark/views/inspector"
	"github.com/hark-audio/hark/views/monitor"
	"github.com/hark-audio/hark/views/results"
	"github.com/hark-audio/hark/views/sessions"
	"github.com/hark-audio/hark/views/trainform"
)

// Options configure a workbench. The zero value opens the demo dataset in plain ASCII with the
// real engine and no log.
type Options struct {
	// Data are the dataset folders to open; none opens the built-in demo dataset.
	Data []string
	// Profile is the colour profile to draw for (the terminal's, or an SSH session's).
	Profile colorprofile.Profile
	// Logger receives debug records; nil discards them.
	Logger *slog.Logger
	// Engine replaces the real engine (tests, servers); fields left nil keep the real ones.
	// The run calls (Start, Stop, Runs, History, Watch) have no default: without them the run
	// panes say that this workbench cannot train.
	Engine common.Engine
	// ReadOnly lets the user watch runs but not start or stop them (a read-only SSH key).
	ReadOnly bool
	// Sessions configures the Sessions pane and playback: the folders it lists, this
	// workbench's own session file, and the deck opened sessions play on (nil: none).
	Sessions sessions.Config
	// NoMouse leaves the mouse to the terminal (its own text selection) instead of asking for
	// clicks and the wheel: a click on a tab focuses its pane, a click in a pane reaches it as
	// a common.ClickMsg, the wheel moves as the arrow keys.
	NoMouse bool
}

// Minimum size the workbench draws its panes in; below it, it says so.
const (
	minWidth  = 40
	minHeight = 10
)

// Model is the workbench's root model: a tab bar of panes, the focused pane, and a footer of
// keys. It handles the global keys and the window size, hands input to the focused pane and
// every other message to all panes, since a command's result belongs to the pane that started
// it whether or not that pane still has the focus.
type Model struct {
	c        *common.Common
	cancel   context.CancelFunc
	panes    []common.Component
	focus    int
	showHelp bool
	mouse    bool
	// bar is the playback bar, drawn over the footer while a session plays back.
	bar      *sessions.Bar
	barShown bool

	// The engine's run events (see runs.go).
	watch     <-chan train.Event
	endWatch  func()
	resetting bool // the run panes start afresh once the new watch has begun
	interval  time.Duration
	delivered int // deliveries of run events so far
}

var _ tea.Model = (*Model)(nil)

// New returns the workbench with its panes. ctx bounds the commands it starts; the workbench
// also cancels it when it quits.
func New(ctx context.Context, opt Options) *Model {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithCancel(ctx)
	c := common.NewCommon(ctx, opt.Profile)
	if opt.Logger != nil {
		c.Logger = opt.Logger
	}
	if opt.Engine.Open != nil {
		c.Engine.Open = opt.Engine.Open
	}
	if opt.Engine.Extract != nil {
		c.Engine.Extract = opt.Engine.Extract
	}
	if opt.Engine.Demo != nil {
		c.Engine.Demo = opt.Engine.Demo
	}
	c.Engine.Start, c.Engine.Stop, c.Engine.Runs = opt.Engine.Start, opt.Engine.Stop, opt.Engine.Runs
	c.Engine.History, c.Engine.Watch = opt.Engine.History, opt.Engine.Watch
	c.ReadOnly = opt.ReadOnly
	m := &Model{
		c:      c,
		cancel: cancel,
		panes: []common.Component{
			browser.New(c, opt.Data), inspector.New(c),
			trainform.New(c), monitor.New(c), results.New(c), errors.New(c),
			sessions.New(c, opt.Sessions),
		},
		bar:      sessions.NewBar(c, opt.Sessions.Deck),
		interval: frameInterval,
		mouse:    !opt.NoMouse,
	}
	// Until the terminal reports its size, draw for the classic one.
	m.resize(80, 24)
	return m
}

// Focused returns the ID of the pane in front.
func (m *Model) Focused() string { return m.panes[m.focus].ID() }

// Init starts every pane's first commands (opening the datasets).
func (m *Model) Init() tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.panes)+2)
	for _, p := range m.panes {
		cmds = append(cmds, p.Init())
	}
	cmds = append(cmds, m.bar.Init())
	if m.c.Engine.Watch != nil {
		cmds = append(cmds, startWatch(m.c.Ctx, m.c.Engine.Watch))
	}
	return tea.Batch(cmds...)
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.bar.Update(msg)
	if m.bar.Shown() != m.barShown {
		m.resize(m.c.Width, m.c.Height)
	}
	if cmd, ok := m.events(msg); ok {
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.ColorProfileMsg:
		if msg.Profile != m.c.Profile {
			m.c.SetProfile(msg.Profile)
		}
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.MouseClickMsg:
		return m, m.click(msg)
	case tea.MouseWheelMsg:
		return m, m.wheel(msg)
	case tea.MouseMsg, tea.PasteMsg:
		return m, m.toFocused(msg)
	case common.OpenItemMsg:
		if msg.Focus {
			m.focusID(common.PaneInspector)
		}
	case common.ShowErrorsMsg:
		if msg.Focus {
			m.focusID(common.PaneErrors)
		}
	case common.ShowRunMsg:
		if msg.Pane != "" {
			m.focusID(msg.Pane)
		}
	case sessions.ResetRunsMsg:
		return m, m.resetRuns()
	}
	return m, m.toAll(msg)
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.c.Keys
	if key.Matches(msg, k.ForceQuit) {
		return m.quit()
	}
	if ic, ok := m.panes[m.focus].(common.InputCapturer); ok && ic.CapturesInput() {
		return m.toFocused(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
		return nil
	case m.showHelp && key.Matches(msg, k.Back):
		m.showHelp = false
		return nil
	case key.Matches(msg, k.NextPane):
		m.setFocus((m.focus + 1) % len(m.panes))
		return nil
	case key.Matches(msg, k.PrevPane):
		m.setFocus((m.focus + len(m.panes) - 1) % len(m.panes))
		return nil
	case key.Matches(msg, k.GoToPane):
		if n := int(msg.Code - '1'); n >= 0 && n < len(m.panes) {
			m.setFocus(n)
		}
		return nil
	}
	if cmd, ok := m.bar.HandleKey(msg, m.Focused()); ok {
		return cmd
	}
	return m.toFocused(msg)
}

// click focuses the pane whose tab was clicked; a left click in the pane goes to it as a
// common.ClickMsg in the pane's coordinates; other clicks go to the focused pane as they are.
func (m *Model) click(msg tea.MouseClickMsg) tea.Cmd {
	if msg.Button != tea.MouseLeft {
		return m.toFocused(msg)
	}
	if msg.Y == 0 {
		_, spans := m.tabs()
		for i, sp := range spans {
			if msg.X >= sp[0] && msg.X < sp[1] {
				m.setFocus(i)
				return nil
			}
		}
		return nil
	}
	if y := msg.Y - 1; !m.showHelp && y < m.c.Height-m.chrome() {
		return m.toFocused(common.ClickMsg{X: msg.X, Y: y})
	}
	return nil
}

// wheel moves in the focused pane as the arrow keys do (what terminals send for the wheel on
// the alternate screen when no program asks for the mouse); over the help it does nothing.
func (m *Model) wheel(msg tea.MouseWheelMsg) tea.Cmd {
	var code rune
	switch msg.Button {
	case tea.MouseWheelUp:
		code = tea.KeyUp
	case tea.MouseWheelDown:
		code = tea.KeyDown
	default:
		return m.toFocused(msg)
	}
	if m.showHelp {
		return nil
	}
	return m.key(tea.KeyPressMsg{Code: code})
}

func (m *Model) quit() tea.Cmd {
	m.cancel()
	return tea.Quit
}

func (m *Model) setFocus(i int) {
	if i != m.focus {
		m.focus = i
		m.showHelp = false
	}
}

func (m *Model) focusID(id string) {
	for i, p := range m.panes {
		if p.ID() == id {
			m.setFocus(i)
		}
	}
}

func (m *Model) toFocused(msg tea.Msg) tea.Cmd {
	p, cmd := m.panes[m.focus].Update(msg)
	m.panes[m.focus] = p
	return cmd
}

func (m *Model) toAll(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.panes))
	for i, p := range m.panes {
		var cmd tea.Cmd
		m.panes[i], cmd = p.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// resize gives every pane the box between the tab bar and the footer (and the playback bar).
func (m *Model) resize(w, h int) {
	m.c.Width, m.c.Height = w, h
	m.barShown = m.bar.Shown()
	for _, p := range m.panes {
		p.SetSize(w, max(0, h-m.chrome()))
	}
}

// chrome is the lines around the pane: the tab bar, the footer and the playback bar.
func (m *Model) chrome() int {
	if m.barShown {
		return 3
	}
	return 2
}

// resetRuns starts the panes that show runs afresh, after a playback went backwards: the old
// watch ends, and once the new one has begun (so that nothing falls between) the Monitor and
// Results panes are built again and read the runs as they are now.
func (m *Model) resetRuns() tea.Cmd {
	if m.c.Engine.Watch == nil {
		return nil
	}
	if m.endWatch != nil {
		m.endWatch()
	}
	m.watch, m.endWatch, m.resetting = nil, nil, true
	return startWatch(m.c.Ctx, m.c.Engine.Watch)
}

// rebuildRunPanes replaces the Monitor and Results panes with new ones and returns their Init.
func (m *Model) rebuildRunPanes() tea.Cmd {
	var cmds []tea.Cmd
	for i, p := range m.panes {
		var fresh common.Component
		switch p.ID() {
		case common.PaneMonitor:
			fresh = monitor.New(m.c)
		case common.PaneResults:
			fresh = results.New(m.c)
		default:
			continue
		}
		fresh.SetSize(m.c.Width, max(0, m.c.Height-m.chrome()))
		m.panes[i] = fresh
		cmds = append(cmds, fresh.Init())
	}
	return tea.Batch(cmds...)
}

// View implements tea.Model: the whole screen in the alternate buffer.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "hark"
	if m.mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

// Render draws the screen as text: the tab bar, the focused pane (or its help) and the footer,
// in exactly the terminal's size.
func (m *Model) Render() string {
	w, h := m.c.Width, m.c.Height
	if w < minWidth || h < minHeight {
		msg := fmt.Sprintf("hark needs at least %dx%d cells (this is %dx%d)", minWidth, minHeight, w, h)
		return common.Fit(ansi.Wordwrap(msg, max(1, w), " "), w, h)
	}
	var b strings.Builder
	b.WriteString(m.tabBar())
	b.WriteByte('\n')
	if m.showHelp {
		b.WriteString(m.fullHelp(h - m.chrome()))
	} else {
		b.WriteString(m.panes[m.focus].View())
	}
	b.WriteByte('\n')
	if m.barShown {
		b.WriteString(m.bar.View(w))
		b.WriteByte('\n')
	}
	b.WriteString(m.footer())
	return b.String()
}

// tabBar names every pane, the focused one marked.
func (m *Model) tabBar() string {
	line, _ := m.tabs()
	return common.Pad(line, m.c.Width)
}

// tabs lays out the tab bar: its line, and the columns [from, to) of each pane's tab, for
// mouse clicks. When the tabs do not fit, the ones in the back lose their padding.
func (m *Model) tabs() (string, [][2]int) {
	st := &m.c.Styles
	var line string
	var spans [][2]int
	for _, pad := range []string{" ", ""} {
		parts := []string{st.Brand.Render("hark")}
		spans = spans[:0]
		x := 1 + lipgloss.Width(parts[0])
		for i, p := range m.panes {
			label := fmt.Sprintf("%d %s", i+1, p.Title())
			var tab string
			switch {
			case i == m.focus && st.ASCII:
				tab = "[" + label + "]"
			case i == m.focus:
				tab = st.TabActive.Render(" " + label + " ")
			default:
				tab = st.TabInactive.Render(pad + label + pad)
			}
			x++ // the space between tabs
			spans = append(spans, [2]int{x, x + lipgloss.Width(tab)})
			x += lipgloss.Width(tab)
			parts = append(parts, tab)
		}
		line = " " + strings.Join(parts, " ")
		if lipgloss.Width(line) <= m.c.Width {
			break
		}
	}
	return line, spans
}

func (m *Model) footer() string {
	h := m.c.Styles.Help()
	h.SetWidth(m.c.Width - 1)
	keys := append(m.panes[m.focus].ShortHelp(), m.c.Keys.ShortHelp()...)
	return common.Pad(" "+h.ShortHelpView(keys), m.c.Width)
}

// fullHelp lists every key of the focused pane and the global ones in rows lines. The columns
// are packed into as many bands as the width needs, rather than cut at the right edge.
func (m *Model) fullHelp(rows int) string {
	st := &m.c.Styles
	h := st.Help()
	p := m.panes[m.focus]
	lines := []string{st.Title.Render("Keys of " + p.Title()), ""}
	var band []string
	bandW := 0
	flush := func() {
		if len(band) > 0 {
			lines = append(lines, strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, band...), "\n")...)
			lines = append(lines, "")
		}
		band, bandW = nil, 0
	}
	groups := p.FullHelp()
	if m.barShown {
		groups = append(groups, m.bar.FullHelp()...)
	}
	for _, g := range append(groups, m.c.Keys.FullHelp()...) {
		col := h.FullHelpView([][]key.Binding{g})
		w := lipgloss.Width(col) + 4
		if bandW+w > m.c.Width-1 {
			flush()
		}
		band = append(band, " ", col, "   ")
		bandW += w
	}
	flush()
	lines = append(lines, st.Subtle.Render("? or esc closes this help"))
	return common.Fit(strings.Join(lines, "\n"), m.c.Width, rows)
}
