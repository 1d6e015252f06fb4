package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	goaudio "github.com/go-audio/audio"
	"github.com/go-audio/wav"
)

// WAV decoding follows libsndfile 1.2's wav.c and wav_w64.c:
//
//   - chunks are walked in file order from offset 12, each skipped by its size plus the pad
//     byte of an odd size; LIST, fact, PEAK, bext and unknown chunks may come anywhere before
//     data. A second fmt chunk is ignored. A chunk id that is not four printable characters
//     ends the walk, as libsndfile's parser does.
//   - fmt must come before data; the walk stops at data.
//   - the RIFF size field is ignored (files with a garbage RIFF size decode normally); a data
//     size beyond the end of the file is cut to the bytes present, and a data size of 0 in a
//     file whose RIFF size is 8 (a writer that never closed the file) means "up to the end".
//   - frames = data bytes / (bytes per sample * channels), rounded down; a trailing partial
//     frame and the pad byte of an odd data chunk are not samples.
//   - errors: fmt shorter than 16 bytes, zero channels (or more than 1024), zero sample rate,
//     an unknown or unsupported format tag, a missing fmt or data chunk.
//
// The walk is done here rather than by go-audio/wav because go-audio's header parsing is not
// safe on untrusted files: it sizes buffers from chunk headers (a LIST or fmt chunk claiming
// 4 GiB allocates 4 GiB), ignores short reads of chunk sizes, counts the pad byte of an odd
// data chunk as a sample (8-bit files gain a sample), decodes a trailing partial sample from
// stale bytes, and reads IEEE float data as integers. Where it is correct -- turning
// little-endian 8/16/24/32-bit integer PCM into integers -- it is still the decoder: it is
// handed a canonical 44-byte header followed by exactly the whole frames found here.

// wavSource is a parsed WAV header.
type wavSource struct {
	inf     Info
	c       codec
	dataOff int64
}

func (w *wavSource) info() Info { return w.inf }

// wavFmt holds the fields of a fmt chunk that decoding needs.
type wavFmt struct {
	tag        uint16
	channels   int
	rate       int
	blockAlign int
	bits       int
	sub        uint16 // WAVE_FORMAT_EXTENSIBLE subformat tag
}

const (
	wavTagPCM        = 0x0001
	wavTagFloat      = 0x0003
	wavTagALaw       = 0x0006
	wavTagULaw       = 0x0007
	wavTagIBMULaw    = 0x0101
	wavTagIBMALaw    = 0x0102
	wavTagExtensible = 0xFFFE
)

// wavTagName names the tags libsndfile knows but this package does not decode, for errors.
func wavTagName(tag uint16) string {
	switch tag {
	case 0x0002:
		return "MS ADPCM"
	case 0x0011:
		return "IMA ADPCM"
	case 0x0031:
		return "GSM 6.10"
	case 0x0040:
		return "G.721 ADPCM"
	case 0x0050:
		return "MPEG"
	case 0x0055:
		return "MPEG layer 3"
	}
	return ""
}

// Subformat GUIDs of WAVE_FORMAT_EXTENSIBLE are the 16-bit subformat tag followed by one of
// these suffixes: KSDATAFORMAT's, or the Ambisonic B-format one that libsndfile also accepts.
const (
	guidSuffixKS        = "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
	guidSuffixAmbisonic = "\x00\x00\x21\x07\xd3\x11\x86\x44\xc8\xc1\xca\x00\x00\x00"
)

// readAt reads len(buf) bytes at offset off of r.
func readAt(r io.ReadSeeker, off int64, buf []byte) error {
	if _, err := r.Seek(off, io.SeekStart); err != nil {
		return err
	}
	_, err := io.ReadFull(r, buf)
	return err
}

func printable(id []byte) bool {
	for _, b := range id {
		if b < 0x20 || b > 0x7e {
			return false
		}
	}
	return true
}

func openWAV(r io.ReadSeeker, size int64, name string) (source, error) {
	var hdr [12]byte
	if err := readAt(r, 0, hdr[:]); err != nil {
		return nil, fmt.Errorf("audio: %s: reading the RIFF header: %w", name, err)
	}
	switch string(hdr[:4]) {
	case "RIFX":
		return nil, fmt.Errorf("audio: %s: %w: big-endian RIFX WAV", name, ErrUnsupported)
	case "RF64":
		return nil, fmt.Errorf("audio: %s: %w: RF64 (64-bit WAV)", name, ErrUnsupported)
	}
	riffSize := binary.LittleEndian.Uint32(hdr[4:8])
	var (
		f      wavFmt
		fmtSet bool
		ch     [8]byte
	)
	for pos := int64(12); pos+8 <= size; {
		if err := readAt(r, pos, ch[:]); err != nil {
			return nil, fmt.Errorf("audio: %s: reading the chunk header at byte %d: %w", name, pos, err)
		}
		id, csize, body := string(ch[:4]), int64(binary.LittleEndian.Uint32(ch[4:])), pos+8
		switch {
		case id == "fmt ":
			if fmtSet {
				break // libsndfile ignores a second fmt chunk
			}
			var err error
			if f, err = readWAVFmt(r, body, csize, size, name); err != nil {
				return nil, err
			}
			fmtSet = true
		case id == "data":
			if !fmtSet {
				return nil, fmt.Errorf("audio: %s: %w: data chunk before the fmt chunk", name, ErrMalformed)
			}
			n := csize
			if n == 0 && riffSize == 8 && size > 44 {
				n = size - body
			}
			n = min(n, size-body)
			return newWAVSource(f, body, n, name)
		case !printable(ch[:4]):
			// libsndfile stops parsing at a chunk id that is not text.
			pos = size
			continue
		}
		pos = body + csize + csize&1
	}
	if !fmtSet {
		return nil, fmt.Errorf("audio: %s: %w: no fmt chunk", name, ErrMalformed)
	}
	return nil, fmt.Errorf("audio: %s: %w: no data chunk", name, ErrMalformed)
}

// readWAVFmt parses the fmt chunk whose body starts at off and declares csize bytes.
func readWAVFmt(r io.ReadSeeker, off, csize, size int64, name string) (wavFmt, error) {
	if csize < 16 {
		return wavFmt{}, fmt.Errorf("audio: %s: %w: fmt chunk is %d bytes, shorter than 16", name, ErrMalformed, csize)
	}
	var b [40]byte
	n := min(csize, 40)
	if off+n > size {
		return wavFmt{}, fmt.Errorf("audio: %s: %w: the file ends inside the fmt chunk", name, ErrMalformed)
	}
	if err := readAt(r, off, b[:n]); err != nil {
		return wavFmt{}, fmt.Errorf("audio: %s: reading the fmt chunk: %w", name, err)
	}
	le := binary.LittleEndian
	f := wavFmt{
		tag:        le.Uint16(b[0:]),
		channels:   int(le.Uint16(b[2:])),
		rate:       int(le.Uint32(b[4:])),
		blockAlign: int(le.Uint16(b[12:])),
		bits:       int(le.Uint16(b[14:])),
	}
	if f.tag == wavTagExtensible {
		if n < 40 {
			return wavFmt{}, fmt.Errorf("audio: %s: %w: WAVE_FORMAT_EXTENSIBLE fmt chunk is %d bytes, shorter than 40",
				name, ErrMalformed, csize)
		}
		guid := b[24:40]
		switch {
		case string(guid[2:]) == guidSuffixKS:
			f.sub = le.Uint16(guid)
		case string(guid[2:]) == guidSuffixAmbisonic && (guid[0] == 1 || guid[0] == 3) && guid[1] == 0:
			f.sub = le.Uint16(guid)
		default:
			return wavFmt{}, fmt.Errorf("audio: %s: %w: WAVE_FORMAT_EXTENSIBLE subformat GUID %x", name, ErrUnsupported, guid)
		}
	}
	return f, nil
}

// newWAVSource validates the fmt fields and chooses the sample codec.
func newWAVSource(f wavFmt, dataOff, dataLen int64, name string) (*wavSource, error) {
	switch {
	case f.channels == 0:
		return nil, fmt.Errorf("audio: %s: %w: channel count is zero", name, ErrMalformed)
	case f.channels > maxChannels:
		return nil, fmt.Errorf("audio: %s: %w: %d channels (more than %d)", name, ErrMalformed, f.channels, maxChannels)
	case f.rate == 0:
		return nil, fmt.Errorf("audio: %s: %w: sample rate is zero", name, ErrMalformed)
	}
	tag, prefix := f.tag, ""
	if tag == wavTagExtensible {
		tag, prefix = f.sub, "extensible "
	}
	width := (f.bits + 7) / 8
	var c codec
	switch tag {
	case wavTagPCM:
		if f.bits == 24 && f.blockAlign == 4*f.channels && prefix == "" {
			// libsndfile guesses from the samples whether such a file holds 24-bit samples in
			// 32-bit containers, mislabelled floats or a wrong block align; refuse rather
			// than guess.
			return nil, fmt.Errorf("audio: %s: %w: ambiguous 24-bit PCM in 4-byte blocks", name, ErrUnsupported)
		}
		if width < 1 || width > 4 {
			return nil, fmt.Errorf("audio: %s: %w: %d-bit PCM", name, ErrUnsupported, f.bits)
		}
		// libsndfile stores bits rounded up to whole bytes: 12-bit PCM reads as 16-bit.
		c = codec{kind: [...]sampleKind{kindU8, kindS16, kindS24, kindS32}[width-1], width: width}
	case wavTagFloat:
		switch width {
		case 4:
			c = codec{kind: kindF32, width: 4}
		case 8:
			c = codec{kind: kindF64, width: 8}
		default:
			return nil, fmt.Errorf("audio: %s: %w: %d-bit IEEE float", name, ErrUnsupported, f.bits)
		}
	case wavTagULaw, wavTagIBMULaw:
		c = codec{kind: kindULaw, width: 1}
	case wavTagALaw, wavTagIBMALaw:
		c = codec{kind: kindALaw, width: 1}
	default:
		if n := wavTagName(tag); n != "" {
			return nil, fmt.Errorf("audio: %s: %w: WAV format tag 0x%04X (%s)", name, ErrUnsupported, tag, n)
		}
		return nil, fmt.Errorf("audio: %s: %w: unknown WAV format tag 0x%04X", name, ErrUnsupported, tag)
	}
	return &wavSource{
		inf: Info{
			Format:     FormatWAV,
			Encoding:   prefix + c.encoding(),
			SampleRate: f.rate,
			Channels:   f.channels,
			Frames:     dataLen / int64(c.width*f.channels),
			BitDepth:   f.bits,
		},
		c:       c,
		dataOff: dataOff,
	}, nil
}

func (w *wavSource) decode(r io.ReadSeeker, name string) (*Clip, error) {
	out := make([]float32, w.inf.Frames*int64(w.inf.Channels))
	if _, err := r.Seek(w.dataOff, io.SeekStart); err != nil {
		return nil, fmt.Errorf("audio: %s: %w", name, err)
	}
	var err error
	switch w.c.kind {
	case kindU8, kindS16, kindS24, kindS32:
		err = w.decodeInt(r, out, name)
	default:
		err = w.c.decodeBlocks(out, r, w.inf.Channels, name)
	}
	if err != nil {
		return nil, err
	}
	return &Clip{Info: w.inf, Data: out}, nil
}

// goAudioBufSamples is the size of the integer buffer go-audio/wav fills per call.
const goAudioBufSamples = 1 << 14

// decodeInt decodes little-endian integer PCM with go-audio/wav (see the comment at the top
// of this file), r being positioned at the first sample.
func (w *wavSource) decodeInt(r io.Reader, out []float32, name string) error {
	bits := w.c.width * 8
	dataLen := int64(len(out)) * int64(w.c.width)
	src := &canonicalWAV{head: canonicalHeader(w.inf.Channels, w.inf.SampleRate, bits, dataLen), r: r, left: dataLen}
	d := wav.NewDecoder(src)
	buf := &goaudio.IntBuffer{Data: make([]int, min(goAudioBufSamples, max(len(out), 1)))}
	// libsndfile: u8 (v-128)/2^7, s16 v/2^15, s24 v/2^23, s32 float32(v)/2^31; float32 of an
	// int32 rounds to nearest and the power-of-two scale is exact, as in its i2f_array.
	scale := float32(math.Ldexp(1, 1-bits))
	offset := 0
	if bits == 8 {
		offset = 128
	}
	for len(out) > 0 {
		n, err := d.PCMBuffer(buf)
		if err != nil {
			return fmt.Errorf("audio: %s: go-audio/wav: %w", name, err)
		}
		if n == 0 {
			return fmt.Errorf("audio: %s: go-audio/wav stopped with %d samples left: %w", name, len(out), io.ErrUnexpectedEOF)
		}
		n = min(n, len(out))
		for i, v := range buf.Data[:n] {
			out[i] = float32(int32(v-offset)) * scale
		}
		out = out[n:]
	}
	return nil
}

// canonicalHeader is a 44-byte RIFF/WAVE header for little-endian integer PCM.
func canonicalHeader(channels, rate, bits int, dataLen int64) []byte {
	h := make([]byte, 44)
	le := binary.LittleEndian
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], uint32(min(36+dataLen, math.MaxUint32)))
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], wavTagPCM)
	le.PutUint16(h[22:], uint16(channels))
	le.PutUint32(h[24:], uint32(rate))
	le.PutUint32(h[28:], uint32(rate*channels*bits/8))
	le.PutUint16(h[32:], uint16(channels*bits/8))
	le.PutUint16(h[34:], uint16(bits))
	copy(h[36:], "data")
	le.PutUint32(h[40:], uint32(dataLen))
	return h
}

// canonicalWAV is the stream go-audio/wav reads: a canonical header, then left bytes of r.
// Reads of the samples are filled completely (io.ReadFull), because go-audio assumes that a
// short read is the end of the data. go-audio never seeks in a file whose fmt chunk comes
// first, so Seek only reports that it is not supported.
type canonicalWAV struct {
	head []byte
	r    io.Reader
	left int64
}

func (c *canonicalWAV) Read(p []byte) (int, error) {
	if len(c.head) > 0 {
		n := copy(p, c.head)
		c.head = c.head[n:]
		return n, nil
	}
	if c.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := io.ReadFull(c.r, p)
	c.left -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (c *canonicalWAV) Seek(int64, int) (int64, error) {
	return 0, errors.New("canonical WAV stream does not seek")
}
