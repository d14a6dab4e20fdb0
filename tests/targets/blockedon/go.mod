module goscope.test/blockedon

go 1.19
