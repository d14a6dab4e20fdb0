module example.com/goscope/symtest

go 1.19
