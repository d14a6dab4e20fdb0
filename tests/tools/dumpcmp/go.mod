module example.com/goscope/dumpcmp

go 1.19
