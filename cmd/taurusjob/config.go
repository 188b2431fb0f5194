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
	envEndpoint      = "TAURUSJOB_ENDPOINT"
	envRegion        = "TAURUSJOB_REGION"
	envService       = "TAURUSJOB_SERVICE"
	envProjectID     = "TAURUSJOB_PROJECT_ID"
	envToken         = "TAURUSJOB_TOKEN"
	envAccessKey     = "CLOUD_SDK_AK"
	envSecretKey     = "CLOUD_SDK_SK"
	envSecurityToken = "CLOUD_SDK_SECURITY_TOKEN"
)

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
	cfg.ProjectID = o.projectID
	if !o.set["project-id"] {
		cfg.ProjectID = env(envProjectID)
	}
	if cfg.ProjectID == "" {
		return cfg, usagef("no project id: give --project-id or set %s", envProjectID)
	}
	if err := setCredentials(ctx, &cfg, o, env, stdin, warn); err != nil {
		return cfg, err
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

// setCredentials picks one credential: --token-file, else TAURUSJOB_TOKEN,
// else CLOUD_SDK_AK and CLOUD_SDK_SK (with CLOUD_SDK_SECURITY_TOKEN for
// temporary credentials). A token and AK/SK both in the environment is an
// error rather than a silent choice of identity.
func setCredentials(ctx context.Context, cfg *taurusjob.ClientConfig, o *options, env func(string) string, stdin io.Reader, warn io.Writer) error {
	ak, sk, st := env(envAccessKey), env(envSecretKey), env(envSecurityToken)
	if o.set["token-file"] {
		token, err := readTokenFile(ctx, o.tokenFile, stdin, warn)
		if err != nil {
			return err
		}
		cfg.Token = token
		return nil
	}
	token := env(envToken)
	aksk := ak != "" || sk != ""
	switch {
	case token != "" && aksk:
		return usagef("both %s and %s/%s are set; unset one of them (or give --token-file)", envToken, envAccessKey, envSecretKey)
	case token != "":
		cfg.Token = token
		return checkToken(envToken, token)
	case ak != "" && sk == "":
		return usagef("%s is set but %s is not", envAccessKey, envSecretKey)
	case sk != "" && ak == "":
		return usagef("%s is set but %s is not", envSecretKey, envAccessKey)
	case aksk:
		cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken = ak, sk, st
		return nil
	case st != "":
		return usagef("%s is set without %s and %s", envSecurityToken, envAccessKey, envSecretKey)
	}
	return usagef("no credentials: set %s (an IAM token), give --token-file FILE, or set %s and %s", envToken, envAccessKey, envSecretKey)
}

// configFail prints why clientConfig failed and returns the exit code:
// 130 when a signal ended the reading of --token-file, else 2.
func configFail(stderr io.Writer, cmd string, err error) int {
	if errors.Is(err, errInterrupted) {
		fmt.Fprintf(stderr, "taurusjob %s: %v\n", cmd, err)
		return exitInterrupted
	}
	return usageFail(stderr, cmd, err)
}
