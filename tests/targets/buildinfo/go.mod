module example.com/goscope/buildinfo-target

go 1.19
