module github.com/taurusdb-tools/taurusjob

go 1.26
