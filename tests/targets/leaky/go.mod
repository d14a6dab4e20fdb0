module example.com/goscope/leaky

go 1.19
