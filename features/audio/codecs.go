package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/hajimehoshi/go-mp3"
	"github.com/jfreymuth/oggvorbis"
	"github.com/mewkiz/flac"
)

// guard runs f and turns a panic inside a third-party decoder into an ErrMalformed error:
// mewkiz/flac, jfreymuth/vorbis and go-mp3 index tables with values read from the file and
// have panicked on corrupt input before; for Hark a broken file is an error, never a crash.
func guard(lib string, f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %s failed on corrupt data: %v", ErrMalformed, lib, p)
		}
	}()
	return f()
}

// --- FLAC (github.com/mewkiz/flac) ---

type flacSource struct {
	inf  Info
	size int64
}

func (s *flacSource) info() Info { return s.inf }

func openFLAC(r io.ReadSeeker, size int64, name string) (source, error) {
	var inf Info
	err := guard("mewkiz/flac", func() error {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return err
		}
		st, err := flac.New(r)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		si := st.Info
		frames := int64(si.NSamples)
		if frames == 0 {
			frames = -1 // a streamed FLAC may leave the total unset
		}
		inf = Info{Format: FormatFLAC, Encoding: fmt.Sprintf("pcm_s%d", si.BitsPerSample),
			SampleRate: int(si.SampleRate), Channels: int(si.NChannels), Frames: frames, BitDepth: int(si.BitsPerSample)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audio: %s: FLAC: %w", name, err)
	}
	if inf.Channels == 0 || inf.SampleRate == 0 {
		return nil, fmt.Errorf("audio: %s: %w: FLAC STREAMINFO has %d channels at %d Hz", name, ErrMalformed, inf.Channels, inf.SampleRate)
	}
	return &flacSource{inf: inf, size: size}, nil
}

// decode converts each frame's samples as libsndfile does: v * 2^-(bits-1), exact for up to
// 24 bits. A stream cut short is an error, as in libsndfile ("flac decoder lost sync").
func (s *flacSource) decode(r io.ReadSeeker, name string) (*Clip, error) {
	ch := s.inf.Channels
	// FLAC compresses silence to almost nothing, so the preallocation trusts the header only
	// up to 16 samples per byte of file; the slice grows if the file really holds more.
	out := make([]float32, 0, capHint(s.inf.Frames*int64(ch), 16*s.size))
	err := guard("mewkiz/flac", func() error {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return err
		}
		st, err := flac.New(r)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		for {
			f, err := st.ParseNext()
			if err == io.EOF {
				return nil
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("%w: the stream is cut short inside a frame", ErrMalformed)
			}
			if err != nil {
				return fmt.Errorf("%w: %w", ErrMalformed, err)
			}
			if len(f.Subframes) != ch {
				return fmt.Errorf("%w: frame with %d channels in a %d-channel stream", ErrMalformed, len(f.Subframes), ch)
			}
			n := int(f.BlockSize)
			for _, sf := range f.Subframes {
				if len(sf.Samples) < n {
					return fmt.Errorf("%w: subframe with %d of %d samples", ErrMalformed, len(sf.Samples), n)
				}
			}
			scale := float32(math.Ldexp(1, 1-int(f.BitsPerSample)))
			for i := range n {
				for _, sf := range f.Subframes {
					out = append(out, float32(sf.Samples[i])*scale)
				}
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("audio: %s: FLAC: %w", name, err)
	}
	inf := s.inf
	inf.Frames = int64(len(out) / ch)
	return &Clip{Info: inf, Data: out}, nil
}

// --- OGG Vorbis (github.com/jfreymuth/oggvorbis) ---

type oggSource struct {
	inf  Info
	size int64
}

func (s *oggSource) info() Info { return s.inf }

func openOGG(r io.ReadSeeker, size int64, name string) (source, error) {
	// The first page holds the identification packet, which names the codec; it starts after
	// the 27-byte page header and its segment table.
	first := make([]byte, min(size, 27+255+8))
	if err := readAt(r, 0, first); err != nil {
		return nil, fmt.Errorf("audio: %s: %w", name, err)
	}
	if len(first) > 27 {
		packet := first[min(27+int(first[26]), len(first)):]
		for _, codecMagic := range []string{"OpusHead", "\x7fFLAC", "Speex", "\x80theora"} {
			if bytes.HasPrefix(packet, []byte(codecMagic)) {
				return nil, fmt.Errorf("audio: %s: %w: OGG stream of %q, only Vorbis is decoded", name, ErrUnsupported, codecMagic)
			}
		}
	}
	var inf Info
	err := guard("jfreymuth/oggvorbis", func() error {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return err
		}
		length, f, err := oggvorbis.GetLength(r)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		inf = Info{Format: FormatOGG, Encoding: "vorbis", SampleRate: f.SampleRate, Channels: f.Channels, Frames: length}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audio: %s: OGG Vorbis: %w", name, err)
	}
	if inf.Channels == 0 || inf.SampleRate == 0 {
		return nil, fmt.Errorf("audio: %s: %w: Vorbis header has %d channels at %d Hz", name, ErrMalformed, inf.Channels, inf.SampleRate)
	}
	return &oggSource{inf: inf, size: size}, nil
}

// decode returns the float samples of jfreymuth/vorbis, a pure-Go Vorbis decoder: they differ
// from libvorbis's (what soundfile returns) by float rounding, under 1e-6 in our checks. A
// stream cut short is an error: libsndfile fails on such files too.
func (s *oggSource) decode(r io.ReadSeeker, name string) (*Clip, error) {
	ch := s.inf.Channels
	// A Vorbis packet of a few bytes can stand for up to 4096 frames; trust the last page's
	// granule position only up to 16 samples per byte of file for the preallocation.
	out := make([]float32, 0, capHint(s.inf.Frames*int64(ch), 16*s.size))
	err := guard("jfreymuth/oggvorbis", func() error {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return err
		}
		vr, err := oggvorbis.NewReader(r)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		if vr.Channels() != ch {
			return fmt.Errorf("%w: channel count changed from %d to %d", ErrMalformed, ch, vr.Channels())
		}
		buf := make([]float32, 4096*ch)
		for {
			n, err := vr.Read(buf)
			out = append(out, buf[:n]...)
			switch {
			case err == io.EOF:
				return nil
			case errors.Is(err, io.ErrUnexpectedEOF):
				return fmt.Errorf("%w: the stream is cut short", ErrMalformed)
			case err != nil:
				return fmt.Errorf("%w: %w", ErrMalformed, err)
			case n == 0:
				return io.ErrNoProgress
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("audio: %s: OGG Vorbis: %w", name, err)
	}
	inf := s.inf
	inf.Frames = int64(len(out) / ch)
	return &Clip{Info: inf, Data: out}, nil
}

// --- MP3 (github.com/hajimehoshi/go-mp3) ---

// id3v2Size returns the total size of the ID3v2 tag that starts r (header "ID3", flags, and a
// 28-bit sync-safe size; a footer adds 10 bytes).
func id3v2Size(h []byte) int64 {
	n := int64(h[6]&0x7f)<<21 | int64(h[7]&0x7f)<<14 | int64(h[8]&0x7f)<<7 | int64(h[9]&0x7f)
	n += 10
	if h[5]&0x10 != 0 {
		n += 10
	}
	return n
}

// openID3 skips an ID3v2 tag and opens what follows: FLAC (mewkiz/flac skips the tag itself)
// or MP3.
func openID3(r io.ReadSeeker, size int64, name string) (source, error) {
	var h [10]byte
	if err := readAt(r, 0, h[:]); err != nil {
		return nil, fmt.Errorf("audio: %s: %w: truncated ID3v2 tag", name, ErrMalformed)
	}
	off := id3v2Size(h[:])
	if off+4 > size {
		// go-mp3 would allocate the tag's claimed size before noticing.
		return nil, fmt.Errorf("audio: %s: %w: ID3v2 tag of %d bytes in a %d-byte file", name, ErrMalformed, off, size)
	}
	var m [4]byte
	if err := readAt(r, off, m[:]); err != nil {
		return nil, fmt.Errorf("audio: %s: %w", name, err)
	}
	if string(m[:]) == "fLaC" {
		return openFLAC(r, size, name)
	}
	return openMP3(r, size, off, name)
}

// mpegHeader is a 32-bit MPEG audio frame header.
type mpegHeader uint32

// valid applies go-mp3's test, so that the header found here is the one go-mp3 decodes first.
func (h mpegHeader) valid() bool {
	return h&0xffe00000 == 0xffe00000 && // sync
		(h>>19)&3 != 1 && // version not reserved
		(h>>17)&3 != 0 && // layer not reserved
		(h>>12)&0xf != 15 && // bitrate index
		(h>>10)&3 != 3 && // sample rate index
		h&3 != 2 // emphasis
}

func (h mpegHeader) layer3() bool { return (h>>17)&3 == 1 }
func (h mpegHeader) mpeg1() bool  { return (h>>19)&3 == 3 }

// samplesPerFrame is the frame length of layer III: 1152 for MPEG-1, 576 for MPEG-2 and 2.5.
func (h mpegHeader) samplesPerFrame() int {
	if h.mpeg1() {
		return 1152
	}
	return 576
}

// sideInfoSize is the size of the layer III side information that follows the header (and
// its optional CRC).
func (h mpegHeader) sideInfoSize() int {
	switch {
	case h.mpeg1() && h.channels() == 1:
		return 17
	case h.mpeg1():
		return 32
	case h.channels() == 1:
		return 9
	}
	return 17
}
func (h mpegHeader) channels() int {
	if (h>>6)&3 == 3 { // channel mode "single channel"
		return 1
	}
	return 2
}

func isMP3Sync(b []byte) bool {
	return len(b) >= 4 && mpegHeader(binary.BigEndian.Uint32(b)).valid()
}

// mp3ScanBytes is how far past the tags the first frame header is looked for.
const mp3ScanBytes = 1 << 16

type mp3Source struct {
	inf        Info
	d          *mp3.Decoder // positioned at the start of the stream
	start, end int64        // the frames of go-mp3's output that are audio (see readXing)
}

// mp3DecoderDelay is the delay of the layer III synthesis filterbank, in samples, which
// gapless decoders remove along with the encoder's delay (mpg123's GAPLESS_DELAY).
const mp3DecoderDelay = 529

// xingTag is what mpg123 -- libsndfile's and so soundfile's MP3 decoder -- uses from the
// Xing/Info frame that encoders put first: that frame carries no audio and is dropped; its
// frame count, when present, says where the stream really ends (so a truncated file is not
// trimmed at its cut); and its LAME extension (written by LAME and by ffmpeg) records the
// encoder delay and padding, which gapless decoding removes together with the decoder delay,
// so that the output lines up with the audio that was encoded, sample for sample.
type xingTag struct {
	frames         int64 // audio frames in the stream; 0 when the tag does not say
	delay, padding int   // encoder delay and padding in samples
	lame           bool  // delay and padding are known
}

// readXing parses the Xing/Info tag of frame (a frame whose header is h); ok is false when
// the frame is ordinary audio.
func readXing(frame []byte, h mpegHeader) (x xingTag, ok bool) {
	off := 4 + h.sideInfoSize()
	if (h>>16)&1 == 0 { // protected: a CRC follows the header
		off += 2
	}
	if len(frame) < off+8 {
		return x, false
	}
	if id := string(frame[off : off+4]); id != "Xing" && id != "Info" {
		return x, false
	}
	flags := binary.BigEndian.Uint32(frame[off+4:])
	p := off + 8
	if flags&1 != 0 && len(frame) >= p+4 {
		x.frames = int64(binary.BigEndian.Uint32(frame[p:]))
	}
	for _, f := range []struct {
		bit  uint32
		size int
	}{{1, 4}, {2, 4}, {4, 100}, {8, 4}} { // frames, bytes, TOC, quality
		if flags&f.bit != 0 {
			p += f.size
		}
	}
	if len(frame) < p+24 {
		return x, true
	}
	switch string(frame[p : p+4]) {
	case "LAME", "Lavf", "Lavc", "GOGO":
		dp := frame[p+21:]
		x.delay = int(dp[0])<<4 | int(dp[1])>>4
		x.padding = int(dp[1]&0x0f)<<8 | int(dp[2])
		x.lame = true
	}
	return x, true
}

func (s *mp3Source) info() Info { return s.inf }

// openMP3 finds the first frame header at or after off, then lets go-mp3 index the frames
// (it reads every frame header to know the length, without decoding).
func openMP3(r io.ReadSeeker, size, off int64, name string) (source, error) {
	buf := make([]byte, min(mp3ScanBytes, size-off))
	if err := readAt(r, off, buf); err != nil {
		return nil, fmt.Errorf("audio: %s: %w", name, err)
	}
	var h mpegHeader
	var frame []byte
	for i := 0; i+4 <= len(buf); i++ {
		if c := mpegHeader(binary.BigEndian.Uint32(buf[i:])); c.valid() {
			h, frame = c, buf[i:]
			break
		}
	}
	switch {
	case h == 0:
		return nil, fmt.Errorf("audio: %s: %w: no MPEG audio frame header", name, ErrMalformed)
	case !h.layer3():
		return nil, fmt.Errorf("audio: %s: %w: MPEG layer %d (only layer III is decoded)", name, ErrUnsupported, 4-(h>>17)&3)
	}
	if !h.mpeg1() {
		if pos, bad := goMP3MisSizedFrame(r, off+int64(len(buf)-len(frame)), size); bad {
			return nil, fmt.Errorf("audio: %s: %w: MPEG-2 layer III frame at byte %d is one that go-mp3 "+
				"mis-sizes (it would decode the rest of the stream as garbage without an error)", name, ErrUnsupported, pos)
		}
	}
	d, err := newMP3Decoder(r, name)
	if err != nil {
		return nil, err
	}
	// go-mp3's output, in frames: the Xing frame (if any) then the frames of audio.
	total := d.Length() / 4
	start, end := int64(0), total
	if x, ok := readXing(frame, h); ok {
		spf := int64(h.samplesPerFrame())
		start = spf
		if x.lame {
			streamEnd := total
			if x.frames > 0 {
				streamEnd = spf + x.frames*spf
			}
			start += int64(x.delay) + mp3DecoderDelay
			end = min(total, streamEnd-int64(x.padding)+mp3DecoderDelay)
		}
	}
	start = min(start, end)
	return &mp3Source{inf: Info{Format: FormatMP3, Encoding: "mp3", SampleRate: d.SampleRate(),
		Channels: h.channels(), Frames: end - start}, d: d, start: start, end: end}, nil
}

// goMP3MisSizedFrame walks the frame headers of an MPEG-2/2.5 layer III stream from byte pos
// and returns the position of the first frame go-mp3 v0.3.4 gets wrong: it sizes these frames
// as (144*bitrate/rate + padding) >> 1 bytes instead of 72*bitrate/rate + padding, one byte
// short for a padded frame whenever 144*bitrate/rate is even (96 kbit/s at 22.05 kHz, 32
// kbit/s mono, ...), after which it loses the bit reservoir and returns noise without an
// error. Refusing such files is better than handing a model garbage.
func goMP3MisSizedFrame(r io.ReadSeeker, pos, size int64) (int64, bool) {
	var b [4]byte
	for pos+4 <= size {
		if readAt(r, pos, b[:]) != nil {
			return 0, false
		}
		h := mpegHeader(binary.BigEndian.Uint32(b[:]))
		if !h.valid() || h.mpeg1() || !h.layer3() {
			return 0, false // the end, or something go-mp3 resyncs over
		}
		rates := [3]int{22050, 24000, 16000}
		rate := rates[(h>>10)&3]
		if (h>>19)&3 == 0 { // MPEG-2.5
			rate /= 2
		}
		// Layer III bitrates of MPEG-2 and 2.5 in kbit/s, by bitrate index.
		br := [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}[(h>>12)&0xf] * 1000
		if br == 0 {
			return 0, false // free format: go-mp3 reports an error itself
		}
		padded := (h>>9)&1 == 1
		if padded && (144*br/rate)%2 == 0 {
			return pos, true
		}
		n := int64(72 * br / rate)
		if padded {
			n++
		}
		pos += n
	}
	return 0, false
}

func newMP3Decoder(r io.ReadSeeker, name string) (*mp3.Decoder, error) {
	var d *mp3.Decoder
	err := guard("go-mp3", func() error {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return err
		}
		var err error
		if d, err = mp3.NewDecoder(r); err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audio: %s: MP3: %w", name, err)
	}
	return d, nil
}

// decode reads go-mp3's output, which is always 16-bit little-endian stereo (a mono stream
// has its channel duplicated: the left one is kept), and keeps the frames start..end that
// readXing found to be audio. go-mp3 itself decodes the Xing/Info frame as 1152 (MPEG-1) or
// 576 (MPEG-2) samples of silence and trims nothing, so its raw output starts 1152 + 576 + 529
// = 2257 samples (MPEG-1 from LAME) late; after trimming the output has the length and
// alignment of mpg123's. Files without a LAME header are not trimmed, by go-mp3 or by mpg123.
func (s *mp3Source) decode(_ io.ReadSeeker, name string) (*Clip, error) {
	d, ch := s.d, s.inf.Channels
	// go-mp3 measured the length by walking the frames actually present.
	out := make([]float32, 0, capHint(s.inf.Frames*int64(ch), math.MaxInt32))
	err := guard("go-mp3", func() error {
		buf := make([]byte, 1<<14)
		var frame int64 // index of the frame at buf[0]
		for frame < s.end {
			n, err := io.ReadFull(d, buf)
			for i := 0; i+4 <= n && frame < s.end; i, frame = i+4, frame+1 {
				if frame < s.start {
					continue
				}
				out = append(out, float32(int16(binary.LittleEndian.Uint16(buf[i:])))*(1.0/32768))
				if ch == 2 {
					out = append(out, float32(int16(binary.LittleEndian.Uint16(buf[i+2:])))*(1.0/32768))
				}
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%w: %w", ErrMalformed, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audio: %s: MP3: %w", name, err)
	}
	inf := s.inf
	inf.Frames = int64(len(out) / ch)
	return &Clip{Info: inf, Data: out}, nil
}
