"""rostray: know the moment an Alibaba Cloud ROS stack operation finishes."""

__version__ = "0.1.0"
