package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/taurusdb-tools/taurusjob"
)

// The environment variables the tool reads. A flag beats its variable.
const (
	envEndpoint        = "TAURUSJOB_ENDPOINT"
	envRegion          = "TAURUSJOB_REGION"
	envService         = "TAURUSJOB_SERVICE"
	envProjectID       = "TAURUSJOB_PROJECT_ID"
	envToken           = "TAURUSJOB_TOKEN"
	envTokenCommand    = "TAURUSJOB_TOKEN_COMMAND"
	envAccessKey       = "CLOUD_SDK_AK"
	envSecretKey       = "CLOUD_SDK_SK"
	envSecurityToken   = "CLOUD_SDK_SECURITY_TOKEN"
	envSDKProjectID    = "HUAWEICLOUD_SDK_PROJECT_ID"
	envCredentialsFile = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
)

// akskVariables are the AK/SK variables: the cloud CLIs' and the official
// SDK's names of the same credential.
var akskVariables = [][3]string{
	{envAccessKey, envSecretKey, envSecurityToken},
	{"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN"},
}

// clientConfig resolves the connection flags and the environment into a
// client configuration. Every error is a usage error that names a flag, a
// variable or a file, never a secret's value, or errInterrupted when ctx
// ended while --token-file was read. Warnings go to warn.
func clientConfig(ctx context.Context, o *options, env func(string) string, stdin io.Reader, warn io.Writer) (taurusjob.ClientConfig, error) {
	var cfg taurusjob.ClientConfig
	svc, err := resolveService(o, env)
	if err != nil {
		return cfg, err
	}
	endpoint, err := resolveEndpoint(o, env, svc)
	if err != nil {
		return cfg, err
	}
	cfg.Endpoint, cfg.Service = endpoint, svc
	cmd, err := setCredentials(ctx, &cfg, o, env, stdin, warn) // the file may give the project
	switch {
	case err != nil:
		return cfg, err
	case o.set["project-id"]:
		cfg.ProjectID = o.projectID
	case env(envProjectID) != "":
		cfg.ProjectID = env(envProjectID)
	case env(envSDKProjectID) != "":
		cfg.ProjectID = env(envSDKProjectID)
	}
	if cfg.ProjectID == "" {
		return cfg, usagef("no project id: give --project-id or set %s", envProjectID)
	}
	if cmd != nil {
		// Run once now, after the other checks of flags and variables: a
		// command that fails is exit 2 before any request.
		if err := cmd.check(ctx); err != nil {
			return cfg, err
		}
	}
	cfg.Language = o.language
	cfg.UserAgent = "taurusjob-cli"
	stdLog.hide(cfg.Token, cfg.SecretKey, cfg.SecurityToken)
	return cfg, nil
}

// resolveService picks the database service: --service, else
// TAURUSJOB_SERVICE, else TaurusDB.
func resolveService(o *options, env func(string) string) (taurusjob.Service, error) {
	name, source := o.service, "--service"
	if !o.set["service"] {
		name, source = env(envService), envService
	}
	if name == "" {
		return taurusjob.ServiceTaurusDB, nil
	}
	svc, err := taurusjob.ParseService(name)
	if err != nil {
		return svc, usagef("%s: unknown service %q; give taurusdb, rds, opengauss or dds", source, clip(name, 32))
	}
	return svc, nil
}

// resolveEndpoint picks the endpoint: --endpoint, else --region, else
// TAURUSJOB_ENDPOINT, else TAURUSJOB_REGION; a region's is the service's.
func resolveEndpoint(o *options, env func(string) string, svc taurusjob.Service) (string, error) {
	switch {
	case o.set["endpoint"] && o.set["region"]:
		return "", usagef("--endpoint and --region were both given; give one")
	case o.set["endpoint"]:
		return o.endpoint, nil
	case o.set["region"]:
		return regionEndpoint(svc, o.region, "--region")
	case env(envEndpoint) != "":
		return env(envEndpoint), nil
	case env(envRegion) != "":
		return regionEndpoint(svc, env(envRegion), envRegion)
	}
	return "", usagef("no endpoint: give --endpoint URL or --region REGION, or set %s or %s", envEndpoint, envRegion)
}

func regionEndpoint(svc taurusjob.Service, region, source string) (string, error) {
	if ep, ok := svc.Endpoint(region); ok {
		return ep, nil
	}
	return "", usagef("unknown region %q (from %s) for %s; known regions: %s; for another one give --endpoint",
		clip(region, 64), source, svc.Title(), strings.Join(svc.Regions(), ", "))
}

// setCredentials picks one credential, by README's order of precedence:
// the flags (--token-file, --token-command), else the environment (a
// token, a token command or AK/SK), else the SDK's credentials file. Two
// at one level is an error rather than a silent choice of identity. It
// returns the token command to check, if that is the credential.
func setCredentials(ctx context.Context, cfg *taurusjob.ClientConfig, o *options, env func(string) string, stdin io.Reader, warn io.Writer) (*tokenCommand, error) {
	switch {
	case o.set["token-file"] && o.set["token-command"]:
		return nil, usagef("--token-file and --token-command were both given; give one")
	case o.set["token-file"]:
		token, err := readTokenFile(ctx, o.tokenFile, stdin, warn)
		cfg.Token = token
		return nil, err
	case o.set["token-command"]:
		return useTokenCommand(cfg, "--token-command", o.tokenCommand)
	}
	keys, err := envKeys(env)
	if err != nil {
		return nil, err
	}
	var given []string
	for _, name := range []string{envToken, envTokenCommand} {
		if env(name) != "" {
			given = append(given, name)
		}
	}
	if keys != nil {
		given = append(given, keys.names)
	}
	switch {
	case len(given) > 1:
		return nil, usagef("more than one credential is set: %s; unset all but one (or give --token-file or --token-command)", strings.Join(given, ", "))
	case env(envToken) != "":
		cfg.Token = env(envToken)
		return nil, checkToken(envToken, cfg.Token)
	case env(envTokenCommand) != "":
		return useTokenCommand(cfg, envTokenCommand, env(envTokenCommand))
	case keys != nil:
		cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken = keys.ak, keys.sk, keys.st
		return nil, nil
	}
	return nil, fileKeys(cfg, env, warn)
}

func useTokenCommand(cfg *taurusjob.ClientConfig, source, line string) (*tokenCommand, error) {
	if strings.TrimSpace(line) == "" {
		return nil, usagef("%s: no command given", source)
	}
	cmd := &tokenCommand{source: source, line: line}
	cfg.TokenSource = cmd.token
	return cmd, nil
}

// akskKeys are AK/SK, with the security token of temporary ones, and the
// names of the variables that gave them.
type akskKeys struct{ ak, sk, st, names string }

// envKeys returns the AK/SK of the environment, or nil if none is set.
// Both sets of variables may be set if they hold the same keys.
func envKeys(env func(string) string) (found *akskKeys, err error) {
	for _, v := range akskVariables {
		ak, sk, st := env(v[0]), env(v[1]), env(v[2])
		switch {
		case ak != "" && sk == "":
			return nil, usagef("%s is set but %s is not", v[0], v[1])
		case sk != "" && ak == "":
			return nil, usagef("%s is set but %s is not", v[1], v[0])
		case ak == "" && st != "":
			return nil, usagef("%s is set without %s and %s", v[2], v[0], v[1])
		case ak == "":
			continue
		case found != nil && (found.ak != ak || found.sk != sk || found.st != st):
			return nil, usagef("both %s and %s/%s are set, to other keys; unset one of them", found.names, v[0], v[1])
		case found == nil:
			found = &akskKeys{ak, sk, st, v[0] + "/" + v[1]}
		}
	}
	return found, nil
}

// configFail prints why clientConfig failed and returns the exit code:
// 130 when a signal ended the reading of --token-file, else 2.
func configFail(stderr io.Writer, cmd string, err error) int {
	if errors.Is(err, errInterrupted) || errors.Is(err, errCommandInterrupted) {
		fmt.Fprintf(stderr, "taurusjob %s: %v\n", cmd, err)
		return exitInterrupted
	}
	return usageFail(stderr, cmd, err)
}
