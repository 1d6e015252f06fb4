package inspector

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine/augment"
	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/featureview"
	"github.com/hark-audio/hark/views/render"
)

// drawKey is everything a drawing depends on; equal keys give equal drawings.
type drawKey struct {
	res        *extract.Result
	w, h       int
	start, end int
	cursor     render.Cursor
	profile    colorprofile.Profile
	unit       string
	cmp        *augment.Comparison // the augmentation preview drawn, if any
	seed       uint64
}

// imageDrawKey is everything an image drawing depends on.
type imageDrawKey struct {
	a, b    *features.Matrix // b is nil for a single image
	w, h    int
	profile colorprofile.Profile
	ids     string
}

// View implements common.Component: two header lines, then the drawing.
func (m *Inspector) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	st := &m.c.Styles
	it, ok := m.item()
	if !ok {
		return common.Fit("\n"+st.Subtle.Render("No clip yet: pick one in Datasets (press 1), then enter."), m.w, m.h)
	}
	if m.h <= 2 {
		return common.Fit(m.header(it), m.w, m.h)
	}
	return m.header(it) + "\n" + m.body(it, m.h-2)
}

// header is the clip line and the view line.
func (m *Inspector) header(it dataset.Item) string {
	st := &m.c.Styles
	if m.pairs || isImage(it) {
		return m.pairHeader(it)
	}
	var right []string
	if it.Duration > 0 {
		right = append(right, fmt.Sprintf("%.2f s", it.Duration.Seconds()))
	}
	if it.SampleRate > 0 {
		right = append(right, fmt.Sprintf("%d Hz", it.SampleRate))
	}
	if b, ok := m.cache.get(cacheKey(it.Path, beatsConfig())); ok && b.res != nil {
		right = append(right, fmt.Sprintf("%.0f BPM", b.res.Tempo))
	}
	rightText := strings.Join(right, "  ")
	// The label and group come along only where they fit whole.
	room := m.w - ansi.StringWidth(rightText) - 1
	left := st.Label.Render(fmt.Sprintf("clip %d/%d", m.pos+1, len(m.items))) + " " + st.Title.Render(it.ID)
	for _, f := range [][2]string{{"label", it.Label}, {"group", it.Group}} {
		if f[1] == "" {
			continue
		}
		more := "  " + st.Label.Render(f[0]) + " " + f[1]
		if ansi.StringWidth(left+more) > room {
			break
		}
		left += more
	}
	line1 := common.Spread(left, st.Subtle.Render(rightText), m.w)
	line2 := m.viewLine()
	return common.Pad(line1, m.w) + "\n" + common.Pad(line2, m.w)
}

// viewLine is the header's second line for clips: the view tabs and the parameters drawn.
func (m *Inspector) viewLine() string {
	st := &m.c.Styles
	var tabs []string
	for i, v := range views() {
		switch {
		case i == m.view && st.ASCII:
			tabs = append(tabs, "["+v.name+"]")
		case i == m.view:
			tabs = append(tabs, st.TabActive.Render(" "+v.name+" "))
		default:
			tabs = append(tabs, " "+v.name+" ")
		}
	}
	fields := []string{"sync off"}
	if m.sync {
		fields[0] = "sync on"
	}
	// Only the parameters that change what is drawn.
	switch views()[m.view].kind {
	case "stft", "chroma":
		fields = append(fields, fmt.Sprintf("n_fft %d", m.nfft))
	case "mel-db", "mfcc":
		fields = append(fields, fmt.Sprintf("n_fft %d mels %d", m.nfft, m.nmels))
	}
	if m.zoom > 1 {
		fields = append(fields, fmt.Sprintf("zoom %dx", m.zoom))
	}
	if m.aug {
		fields = append(fields, fmt.Sprintf("aug seed %d", m.seed))
	}
	if m.pairs {
		fields = append(fields, "clip "+[]string{"A", "B"}[m.side])
	}
	return strings.Join(tabs, "") + " " + strings.Join(fields, st.Subtle.Render(st.Sep))
}

// pairHeader is the header of a pair (of clips or images) or of an image: the pair and both
// IDs, then the view line for clips or the images' sizes.
func (m *Inspector) pairHeader(it dataset.Item) string {
	st := &m.c.Styles
	a, b, _ := m.pair()
	var left, right string
	if m.pairs {
		same := "different"
		if m.cat.Pairs[m.items[m.pos]].Same {
			same = "same"
		}
		left = st.Label.Render(fmt.Sprintf("pair %d/%d", m.pos+1, len(m.items))) + " " + st.Title.Render(same) +
			"  " + st.Label.Render("A") + " " + a.ID + "  " + st.Label.Render("B") + " " + b.ID
	} else {
		left = st.Label.Render(fmt.Sprintf("clip %d/%d", m.pos+1, len(m.items))) + " " + st.Title.Render(it.ID)
		if it.Label != "" {
			left += "  " + st.Label.Render("label") + " " + it.Label
		}
	}
	var line2 string
	if isImage(it) {
		var sizes []string
		for _, x := range []dataset.Item{a, b}[:1+btoi(m.pairs)] {
			if o, ok := m.cache.get(imageKey(x.Path)); ok && o.res != nil && o.res.Matrix != nil {
				sizes = append(sizes, fmt.Sprintf("%dx%d", o.res.Matrix.Cols, o.res.Matrix.Rows))
			}
		}
		right = strings.Join(sizes, " ")
		line2 = "image, grayscale"
		if m.pairs {
			line2 = "images, grayscale: A left, B right"
		}
		line2 = st.Subtle.Render(line2)
	} else {
		if it.Duration > 0 {
			right = fmt.Sprintf("%.2f s", it.Duration.Seconds())
		}
		line2 = m.viewLine()
	}
	line1 := common.Spread(common.Cut(left, m.w-ansi.StringWidth(right)-1, st.Ellipsis), st.Subtle.Render(right), m.w)
	return common.Pad(line1, m.w) + "\n" + common.Pad(line2, m.w)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// body is the drawing, or what stands in for it while it is computed or when it failed, in
// exactly h lines. The drawing is not measured again: the renderers fill their box exactly,
// and measuring a full colour frame costs more than drawing it from the cache.
func (m *Inspector) body(it dataset.Item, h int) string {
	st := &m.c.Styles
	if isImage(it) {
		return m.imageBody(h)
	}
	v := views()[m.view]
	cfg := m.config()
	keys := []string{cacheKey(it.Path, beatsConfig()), cacheKey(it.Path, cfg)}
	whats := []string{describeKind("beats"), describeKind(cfg.Kind)}
	if m.aug {
		keys[1] = augKey(it.Path, cfg, m.seed)
		whats[1] = describeKind(cfg.Kind) + " before and after augmentation"
	}
	for i, key := range keys {
		o, ok := m.cache.get(key)
		switch {
		case !ok:
			msg := st.Subtle.Render(fmt.Sprintf("computing %s of %s ...", whats[i], it.ID))
			return common.Fit("\n"+msg, m.w, h)
		case o.err != nil:
			msg := ansi.Wordwrap("could not compute "+whats[i]+": "+o.err.Error(), m.w, " /")
			return common.Fit("\n"+st.Error.Render(msg), m.w, h)
		}
	}
	t, _ := m.timeline()
	r := m.result()
	span := m.span(t.frames)
	end := min(t.frames, m.start+span)
	k := drawKey{res: r, w: m.w, h: h, profile: m.c.Profile}
	if m.aug {
		o, _ := m.cache.get(keys[1])
		k.cmp, k.seed = o.cmp, m.seed
	}
	if v.kind == "beats" {
		k.start, k.end = m.start*t.hop, min(len(r.Wave), end*t.hop)
		k.cursor = render.Cursor{Frame: m.frame * t.hop}
	} else {
		k.start, k.end = t.column(m.start), t.column(end-1)+1
		k.cursor = render.Cursor{Frame: t.column(m.frame), Bin: m.bin(r.Matrix.Rows)}
		if v.kind == "stft" {
			k.unit = "dB"
		}
	}
	if k.cmp != nil && (k != m.drawn || m.drawing == "") {
		m.drawn = k
		m.drawing = m.augDrawing(it, k, cfg)
	}
	if k != m.drawn || m.drawing == "" {
		m.drawn = k
		if r.Beats == nil && cfg.BeatSync == "" {
			// Mark the clip's beats on every plain view: a shallow copy, the matrix is shared.
			withBeats := *r
			withBeats.Beats = m.beats(it)
			r = &withBeats
		}
		m.drawing = featureview.Draw(r, cfg, featureview.Options{
			Width: k.w, Height: k.h, Profile: k.profile, Start: k.start, End: k.end,
			Cursor: k.cursor, ShowCursor: true, Unit: k.unit,
		})
	}
	return m.drawing
}

// augDrawing stacks the clip before augmentation over the clip after it, under a line that
// says what was drawn, in exactly k.h lines.
func (m *Inspector) augDrawing(it dataset.Item, k drawKey, cfg extract.Config) string {
	st := &m.c.Styles
	desc := fmt.Sprintf("augmentation seed %d: %s", k.seed, describeAug(k.cmp, m.cat))
	lines := []string{common.Pad(common.Cut(desc, k.w, st.Ellipsis), k.w)}
	if k.h < 3 {
		return common.Fit(lines[0], k.w, k.h)
	}
	top := (k.h - 1) / 2
	before, after := k.cmp.Before, k.cmp.After
	if before.Beats == nil && cfg.BeatSync == "" {
		withBeats := *before
		withBeats.Beats = m.beats(it)
		before = &withBeats
	}
	opt := featureview.Options{
		Width: k.w, Height: top, Profile: k.profile, Start: k.start, End: k.end,
		Cursor: k.cursor, ShowCursor: true, Unit: k.unit, Title: "before",
	}
	lines = append(lines, featureview.Draw(before, cfg, opt))
	opt.Height, opt.Title, opt.NoBeats = k.h-1-top, "after", true
	if cfg.BeatSync != "" {
		// The augmented clip's beats, and so its columns, are its own: draw it whole.
		opt.Start, opt.End, opt.ShowCursor = 0, 0, false
	}
	lines = append(lines, featureview.Draw(after, cfg, opt))
	return strings.Join(lines, "\n")
}

// imageBody draws the image, or both images of a pair side by side, in exactly h lines.
func (m *Inspector) imageBody(h int) string {
	st := &m.c.Styles
	a, b, _ := m.pair()
	items := []dataset.Item{a}
	if m.pairs {
		items = append(items, b)
	}
	k := imageDrawKey{w: m.w, h: h, profile: m.c.Profile}
	var mats []*features.Matrix
	for _, it := range items {
		o, ok := m.cache.get(imageKey(it.Path))
		switch {
		case !ok:
			return common.Fit("\n"+st.Subtle.Render("loading "+it.ID+" ..."), m.w, h)
		case o.err != nil:
			msg := ansi.Wordwrap("could not read the image: "+o.err.Error(), m.w, " /")
			return common.Fit("\n"+st.Error.Render(msg), m.w, h)
		}
		mats = append(mats, o.res.Matrix)
		k.ids += it.ID + "\x00"
	}
	k.a = mats[0]
	if len(mats) > 1 {
		k.b = mats[1]
	}
	if k == m.imgDrawn && m.imgDrawing != "" {
		return m.imgDrawing
	}
	pw := m.w
	if len(mats) > 1 {
		pw = (m.w - 2) / 2
	}
	cols := make([][]string, len(mats))
	for i, mat := range mats {
		title := items[i].ID
		if len(mats) > 1 {
			title = []string{"A ", "B "}[i] + title
		}
		cols[i] = append([]string{common.Pad(st.Title.Render(common.Cut(title, pw, st.Ellipsis)), pw)},
			drawImage(mat, pw, max(0, h-1), m.c.Profile)...)
	}
	lines := make([]string, h)
	for y := range h {
		var parts []string
		for _, c := range cols {
			if y < len(c) {
				parts = append(parts, c[y])
			}
		}
		lines[y] = strings.Join(parts, "  ")
	}
	m.imgDrawn, m.imgDrawing = k, strings.Join(lines, "\n")
	return m.imgDrawing
}

// beats are the clip's beat frames, from its beats result.
func (m *Inspector) beats(it dataset.Item) []int {
	if o, ok := m.cache.get(cacheKey(it.Path, beatsConfig())); ok && o.res != nil {
		return o.res.Beats
	}
	return nil
}

// describeKind names a kind in status lines.
func describeKind(kind string) string {
	switch kind {
	case "beats":
		return "the waveform and beats"
	case "stft":
		return "the spectrogram"
	case "mel-db":
		return "the mel spectrogram"
	case "mfcc":
		return "the MFCC"
	case "chroma":
		return "the chromagram"
	}
	return kind
}
