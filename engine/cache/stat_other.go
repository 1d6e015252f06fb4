//go:build !linux

package cache

import "os"

// statOf extracts what the index compares: on this platform only the size and the
// modification time (see the package documentation).
func statOf(fi os.FileInfo) fileStat {
	return fileStat{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
}
