module example.com/goscope/goroutines

go 1.19
