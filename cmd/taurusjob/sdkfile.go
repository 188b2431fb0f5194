package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/taurusdb-tools/taurusjob"
)

// fileKeys reads the official SDK's credentials file, the last source of
// credentials: HUAWEICLOUD_SDK_CREDENTIALS_FILE, else
// ~/.huaweicloud/credentials. It is INI; its [basic] section holds ak, sk,
// security_token and project_id. A missing default file is no credential;
// a file that cannot be used is an error that names it, never its values.
func fileKeys(cfg *taurusjob.ClientConfig, env func(string) string, warn io.Writer) error {
	path, home := env(envCredentialsFile), env("HOME")
	if runtime.GOOS == "windows" {
		home = env("USERPROFILE")
	}
	explicit := path != ""
	if !explicit && home != "" {
		path = filepath.Join(home, ".huaweicloud", "credentials")
	}
	var data []byte
	err := fs.ErrNotExist // without a home directory, there is no default file
	if path != "" {
		data, err = readCredentialsFile(path, warn)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return usagef("no credentials: set %s (an IAM token), give --token-file FILE or --token-command CMD, "+
			"set %s and %s, or write ~/.huaweicloud/credentials", envToken, envAccessKey, envSecretKey)
	case err != nil:
		return usagef("credentials file %s: %s", clip(path, 200), errText(err))
	}
	basic := iniSection(data, "basic")
	ak, sk, st := basic["ak"], basic["sk"], basic["security_token"]
	if ak == "" || sk == "" {
		return usagef("credentials file %s: its [basic] section has no ak and sk", clip(path, 200))
	}
	cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken, cfg.ProjectID = ak, sk, st, basic["project_id"]
	return nil
}

// readCredentialsFile reads a regular file of at most 64 KiB, with a
// warning when its group or others can read it, as for --token-file.
func readCredentialsFile(path string, warn io.Writer) ([]byte, error) {
	data, err := readRegular(path, maxTokenFile+1)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the message names the file once
	}
	if err != nil {
		return nil, err
	}
	if len(data) > maxTokenFile {
		return nil, fmt.Errorf("larger than %d bytes; is it a credentials file?", maxTokenFile)
	}
	if st, err := os.Stat(path); err == nil {
		warnReadable(warn, "the credentials file", path, st.Mode())
	}
	return data, nil
}

// iniSection returns the keys of one section of an INI file, keys in
// lower case; "#" and ";" start comment lines.
func iniSection(data []byte, want string) map[string]string {
	kv, section := map[string]string{}, ""
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && strings.HasSuffix(line, "]"):
			section = strings.TrimSpace(line[1 : len(line)-1])
		case section == want:
			if k, v, ok := strings.Cut(line, "="); ok {
				kv[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
			}
		}
	}
	return kv
}
