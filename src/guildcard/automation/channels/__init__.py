"""Message channels behind one port: SMS (Alibaba Cloud, Tencent Cloud); WeChat and the inbox follow."""
