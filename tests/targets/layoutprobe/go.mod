module example.com/goscope/layoutprobe

go 1.19
