module example.com/goscope/stress

go 1.19
