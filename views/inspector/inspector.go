package inspector

import (
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/featureview"
)

// A view is one way of drawing a clip.
type view struct {
	kind string // the extract kind; "beats" draws the waveform with its beats
	name string // as the header shows it
}

// The views, in the order v steps through them (see views).
const (
	viewWave = iota
	viewSpectrogram
	viewMel
	viewMFCC
	viewChroma
)

// views lists the drawings, indexed by the view constants.
func views() []view {
	return []view{
		viewWave: {"beats", "wave"}, viewSpectrogram: {"stft", "spectrogram"}, viewMel: {"mel-db", "mel"},
		viewMFCC: {"mfcc", "MFCC"}, viewChroma: {"chroma", "chroma"},
	}
}

// fftSizes and melSizes are the values [ ] and { } step through; the defaults are librosa's.
func fftSizes() []int { return []int{512, 1024, 2048, 4096} }
func melSizes() []int { return []int{32, 64, 128, 256} }

// Inspector is the Inspector pane.
type Inspector struct {
	c    *common.Common
	keys KeyMap
	w, h int

	// The clip: Items[pos] indexes cat.Items, or cat.Pairs when pairs is set; side says which
	// item of a pair of clips is inspected (0 is A), both images of a pair are drawn.
	cat   *dataset.Catalog
	items []int
	pos   int
	pairs bool
	side  int

	// aug shows the clip before and after augmentation with the given seed.
	aug  bool
	seed uint64

	view  int // index into views()
	sync  bool
	nfft  int
	nmels int

	// The cursor and the window in time are frames of the plain (not beat-synchronous) grid
	// at the hop of every view, so that they hold still when the view changes.
	frame   int
	binFrac float64 // the cursor's bin as a fraction of the rows, for the same reason
	zoom    int     // 1, 2, 4, ...
	start   int     // first frame shown

	cache   *cache
	pending map[string]bool

	// The last drawing and what it was drawn from: bubbletea redraws after every message,
	// and most messages change nothing here.
	drawn   drawKey
	drawing string
	// The same for images.
	imgDrawn   imageDrawKey
	imgDrawing string
}

var _ common.Component = (*Inspector)(nil)

// computedMsg carries one computation back.
type computedMsg struct {
	key string
	out outcome
}

// New returns an empty Inspector; common.OpenItemMsg gives it a clip.
func New(c *common.Common) *Inspector {
	return &Inspector{
		c: c, keys: DefaultKeyMap(), view: viewMel, nfft: 2048, nmels: 128, zoom: 1, seed: 1,
		cache: newCache(), pending: map[string]bool{},
	}
}

// ID implements common.Component.
func (m *Inspector) ID() string { return common.PaneInspector }

// Title implements common.Component.
func (m *Inspector) Title() string { return "Inspector" }

// SetSize implements common.Component.
func (m *Inspector) SetSize(w, h int) { m.w, m.h = w, h }

// Init implements common.Component; the inspector waits for a clip.
func (m *Inspector) Init() tea.Cmd { return nil }

// item is the clip shown (of a pair, the side inspected), if any.
func (m *Inspector) item() (dataset.Item, bool) {
	a, b, ok := m.pair()
	if !ok {
		return dataset.Item{}, false
	}
	if m.side == 1 {
		return b, true
	}
	return a, true
}

// pair is the pair shown (both items are the clip itself when no pair is).
func (m *Inspector) pair() (a, b dataset.Item, ok bool) {
	if m.cat == nil || m.pos < 0 || m.pos >= len(m.items) {
		return a, b, false
	}
	i := m.items[m.pos]
	if !m.pairs {
		if i < 0 || i >= len(m.cat.Items) {
			return a, b, false
		}
		return m.cat.Items[i], m.cat.Items[i], true
	}
	if i < 0 || i >= len(m.cat.Pairs) {
		return a, b, false
	}
	p := m.cat.Pairs[i]
	return m.cat.Items[p.A], m.cat.Items[p.B], true
}

// images reports whether the items shown are images.
func (m *Inspector) images() bool {
	it, ok := m.item()
	return ok && isImage(it)
}

// beatsConfig computes the waveform with its beats: the time base of every view.
func beatsConfig() extract.Config { return extract.Default("beats") }

// config is the current view's feature configuration.
func (m *Inspector) config() extract.Config {
	v := views()[m.view]
	if v.kind == "beats" {
		return beatsConfig()
	}
	cfg := extract.Default(v.kind)
	cfg.NFFT, cfg.NMels = m.nfft, m.nmels
	if v.kind == "stft" {
		cfg.Power = 2 // drawn in dB, converted from power once when computed
	}
	if m.sync {
		// librosa's own examples aggregate chroma by the median and the rest by the mean.
		cfg.BeatSync = "mean"
		if v.kind == "chroma" {
			cfg.BeatSync = "median"
		}
	}
	return cfg
}

// Update implements common.Component.
func (m *Inspector) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.OpenItemMsg:
		if msg.Catalog == nil || msg.Index < 0 || msg.Index >= len(msg.Items) {
			return m, nil
		}
		m.cat, m.items, m.pos, m.pairs, m.side = msg.Catalog, slices.Clone(msg.Items), msg.Index, msg.Pairs, 0
		m.resetTime()
		return m, m.ensure()
	case computedMsg:
		delete(m.pending, msg.key)
		m.cache.put(msg.key, msg.out)
		m.clamp()
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case common.ClickMsg:
		m.click(msg)
		return m, nil
	}
	return m, nil
}

// click puts the cursor where the last drawing (what the user sees) was clicked: the time, and
// the frequency (bin) in the matrix views. The drawing sits below the two header lines; the
// augmentation preview and images take no clicks.
func (m *Inspector) click(msg common.ClickMsg) {
	k := m.drawn
	it, ok := m.item()
	if !ok || isImage(it) || m.aug || k.res == nil || m.drawing == "" {
		return
	}
	t, ok := m.timeline()
	if !ok {
		return
	}
	cur, ok := featureview.At(k.res, m.config(), featureview.Options{
		Width: k.w, Height: k.h, Profile: k.profile, Start: k.start, End: k.end,
		Cursor: k.cursor, ShowCursor: true, Unit: k.unit,
	}, msg.X, msg.Y-2)
	if !ok {
		return
	}
	if views()[m.view].kind == "beats" { // the waveform: Frame is a sample; the nearest frame
		m.frame = (cur.Frame + t.hop/2) / max(1, t.hop)
	} else {
		m.frame = t.firstFrame(cur.Frame)
		if rows := m.rows(); rows > 1 {
			m.binFrac = float64(cur.Bin) / float64(rows-1)
		}
	}
	m.clamp()
}

func (m *Inspector) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	n := len(views())
	switch {
	case key.Matches(msg, k.NextView):
		m.view = (m.view + 1) % n
	case key.Matches(msg, k.PrevView):
		m.view = (m.view + n - 1) % n
	case key.Matches(msg, k.Wave):
		m.view = viewWave
	case key.Matches(msg, k.Spectrogram):
		m.view = viewSpectrogram
	case key.Matches(msg, k.Mel):
		m.view = viewMel
	case key.Matches(msg, k.MFCC):
		m.view = viewMFCC
	case key.Matches(msg, k.Chroma):
		m.view = viewChroma
	case key.Matches(msg, k.BeatSync):
		m.sync = !m.sync
	case key.Matches(msg, k.FFTDown):
		m.nfft = step(fftSizes(), m.nfft, -1)
	case key.Matches(msg, k.FFTUp):
		m.nfft = step(fftSizes(), m.nfft, 1)
	case key.Matches(msg, k.MelsDown):
		m.nmels = step(melSizes(), m.nmels, -1)
	case key.Matches(msg, k.MelsUp):
		m.nmels = step(melSizes(), m.nmels, 1)
	case key.Matches(msg, k.NextClip):
		if m.pos+1 < len(m.items) {
			m.pos++
			m.resetTime()
		}
	case key.Matches(msg, k.PrevClip):
		if m.pos > 0 {
			m.pos--
			m.resetTime()
		}
	case key.Matches(msg, k.Augment):
		m.aug = !m.aug
	case key.Matches(msg, k.Reseed):
		m.aug = true
		m.seed++
	case key.Matches(msg, k.Side):
		if !m.pairs {
			return nil
		}
		m.side = 1 - m.side
		m.resetTime()
	default:
		m.move(msg)
		return nil
	}
	m.clamp()
	return m.ensure()
}

// move handles the cursor, zoom and scroll keys; none of them needs a computation.
func (m *Inspector) move(msg tea.KeyPressMsg) {
	k := &m.keys
	t, ok := m.timeline()
	if !ok {
		return
	}
	span := m.span(t.frames)
	switch {
	case key.Matches(msg, k.Left):
		m.frame = t.prev(m.frame, m.colStep(span))
	case key.Matches(msg, k.Right):
		m.frame = t.next(m.frame, m.colStep(span))
	case key.Matches(msg, k.FastLeft):
		m.frame -= max(1, span/10)
	case key.Matches(msg, k.FastRight):
		m.frame += max(1, span/10)
	case key.Matches(msg, k.Start):
		m.frame = 0
	case key.Matches(msg, k.End):
		m.frame = t.frames - 1
	case key.Matches(msg, k.Up), key.Matches(msg, k.Down):
		rows := m.rows()
		if rows > 1 {
			bin := m.bin(rows)
			if key.Matches(msg, k.Up) {
				bin = min(rows-1, bin+1)
			} else {
				bin = max(0, bin-1)
			}
			m.binFrac = float64(bin) / float64(rows-1)
		}
	case key.Matches(msg, k.ZoomIn):
		if span > minSpan {
			m.zoom *= 2
			m.start = m.frame - m.span(t.frames)/2
		}
	case key.Matches(msg, k.ZoomOut):
		if m.zoom > 1 {
			m.zoom /= 2
			m.start = m.frame - m.span(t.frames)/2
		}
	case key.Matches(msg, k.Reset):
		m.zoom, m.start = 1, 0
	case key.Matches(msg, k.ScrollLeft), key.Matches(msg, k.ScrollRight):
		d := max(1, span/2)
		if key.Matches(msg, k.ScrollLeft) {
			d = -d
		}
		m.start += d
		m.start = max(0, min(m.start, t.frames-span))
		m.frame = max(m.start, min(m.frame+d, m.start+span-1))
	}
	m.clamp()
}

// minSpan is the fewest frames a zoomed view shows.
const minSpan = 8

// span is how many frames the window shows at the current zoom.
func (m *Inspector) span(frames int) int {
	if frames <= minSpan {
		return max(1, frames)
	}
	return max(minSpan, (frames+m.zoom-1)/m.zoom)
}

// colStep is one screen column's worth of frames, so that the arrows always visibly move.
func (m *Inspector) colStep(span int) int {
	return max(1, span/max(1, m.w-12))
}

// resetTime puts the cursor and window at the clip's start for a new clip.
func (m *Inspector) resetTime() { m.frame, m.start, m.zoom = 0, 0, 1 }

// clamp keeps the cursor in the clip and the window around the cursor.
func (m *Inspector) clamp() {
	t, ok := m.timeline()
	if !ok {
		return
	}
	span := m.span(t.frames)
	for m.zoom > 1 && (t.frames+m.zoom-1)/m.zoom < minSpan {
		m.zoom /= 2 // zoom beyond the narrowest window shows nothing new
		span = m.span(t.frames)
	}
	m.frame = max(0, min(m.frame, t.frames-1))
	if m.frame < m.start {
		m.start = m.frame
	}
	if m.frame >= m.start+span {
		m.start = m.frame - span + 1
	}
	m.start = max(0, min(m.start, t.frames-span))
}

// rows is the bin count of the current matrix (0 for the waveform or while computing).
func (m *Inspector) rows() int {
	r := m.result()
	if r == nil || r.Matrix == nil {
		return 0
	}
	return r.Matrix.Rows
}

func (m *Inspector) bin(rows int) int {
	if rows <= 1 {
		return 0
	}
	return int(m.binFrac*float64(rows-1) + 0.5)
}

// result is the current view's computed result, if it is there.
func (m *Inspector) result() *extract.Result {
	it, ok := m.item()
	if !ok {
		return nil
	}
	if m.aug {
		o, ok := m.cache.get(augKey(it.Path, m.config(), m.seed))
		if !ok || o.cmp == nil {
			return nil
		}
		return o.cmp.Before
	}
	o, ok := m.cache.get(cacheKey(it.Path, m.config()))
	if !ok {
		return nil
	}
	return o.res
}

// timeline is the clip's frame grid and beats, from its beats result.
func (m *Inspector) timeline() (timeline, bool) {
	it, ok := m.item()
	if !ok {
		return timeline{}, false
	}
	o, ok := m.cache.get(cacheKey(it.Path, beatsConfig()))
	if !ok || o.res == nil || o.res.Hop <= 0 {
		return timeline{}, false
	}
	t := timeline{frames: len(o.res.Wave)/o.res.Hop + 1, hop: o.res.Hop, sync: m.sync && views()[m.view].kind != "beats"}
	t.bounds = syncBounds(o.res.Beats, t.frames)
	return t, true
}

// ensure starts the computations the current clip and view need that are neither cached nor
// running: always the waveform with its beats (the time base), and the view's own feature.
func (m *Inspector) ensure() tea.Cmd {
	it, ok := m.item()
	if !ok {
		return nil
	}
	var cmds []tea.Cmd
	if isImage(it) {
		a, b, _ := m.pair()
		for _, p := range []string{a.Path, b.Path} {
			k := imageKey(p)
			if m.cache.use(k) || m.pending[k] {
				continue
			}
			m.pending[k] = true
			cmds = append(cmds, loadImageCmd(p))
		}
		return tea.Batch(cmds...)
	}
	need := []extract.Config{beatsConfig(), m.config()}
	if m.aug {
		need = need[:1] // the view's feature comes with the preview
	}
	for _, cfg := range need {
		k := cacheKey(it.Path, cfg)
		if m.cache.use(k) || m.pending[k] {
			continue
		}
		m.pending[k] = true
		cmds = append(cmds, compute(m.c, it.Path, cfg, k))
	}
	if m.aug {
		k := augKey(it.Path, m.config(), m.seed)
		if !m.cache.use(k) && !m.pending[k] {
			m.pending[k] = true
			cmds = append(cmds, previewCmd(m.c, m.cat, it.Path, m.config(), m.seed, k))
		}
	}
	return tea.Batch(cmds...)
}

// compute is the command that extracts one feature; an stft comes back in decibels.
func compute(c *common.Common, path string, cfg extract.Config, k string) tea.Cmd {
	extractFn, log := c.Engine.Extract, c.Logger
	return func() tea.Msg {
		start := time.Now()
		r, err := extractFn(path, cfg)
		switch {
		case err != nil:
		case r == nil || (cfg.Kind == "beats" && r.Hop <= 0) || (cfg.Kind != "beats" && r.Matrix == nil):
			err = fmt.Errorf("%s: the engine returned no %s", path, cfg.Kind)
		case r.Kind == "stft":
			r.Matrix = features.PowerToDB(nil, r.Matrix, features.DBOptions{RefMax: true, TopDB: 80})
		}
		log.Debug("feature computed", "path", path, "config", cfg.Key(), "took", time.Since(start), "err", err)
		return computedMsg{key: k, out: outcome{res: r, err: err}}
	}
}

// step moves v to the neighbouring value of the sorted list vals (v itself when it is not
// in it is placed by value).
func step(vals []int, v, dir int) int {
	i, found := slices.BinarySearch(vals, v)
	switch {
	case dir < 0 && i > 0:
		return vals[i-1]
	case dir > 0 && found && i+1 < len(vals):
		return vals[i+1]
	case dir > 0 && !found && i < len(vals):
		return vals[i]
	}
	return v
}

// ShortHelp implements help.KeyMap.
func (m *Inspector) ShortHelp() []key.Binding {
	k := &m.keys
	if m.images() {
		return []key.Binding{k.NextClip, k.PrevClip}
	}
	keys := []key.Binding{k.NextView, k.BeatSync, k.Augment, k.Cursor, k.ZoomIn, k.ZoomOut, k.NextClip, k.PrevClip}
	if m.pairs {
		keys = append(keys, k.Side)
	}
	return keys
}

// FullHelp implements help.KeyMap.
func (m *Inspector) FullHelp() [][]key.Binding {
	k := &m.keys
	return [][]key.Binding{
		{k.NextView, k.PrevView, k.Wave, k.Spectrogram, k.Mel, k.MFCC, k.Chroma, k.BeatSync},
		{k.Left, k.Right, k.Up, k.Down, k.FastLeft, k.FastRight, k.Start, k.End},
		{k.ZoomIn, k.ZoomOut, k.Reset, k.ScrollLeft, k.ScrollRight},
		{k.NextClip, k.PrevClip, k.Side, k.Augment, k.Reseed, k.FFTDown, k.FFTUp, k.MelsDown, k.MelsUp},
	}
}
