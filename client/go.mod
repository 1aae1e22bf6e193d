module mdnhub/client

go 1.26.8
