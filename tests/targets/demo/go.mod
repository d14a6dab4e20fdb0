module example.com/goscope/demo

go 1.19
