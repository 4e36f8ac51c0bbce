"""Hostile (report injection): relu's error message is HTML that would close the step summary's <details>
block, run a script and break the JUnit XML."""

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def relu(z):
    raise ValueError('</details></pre>\n<script>alert("pwned")</script><img src=x onerror=alert(1)>'
                     ']]><!-- &amp; <testcase name="FAKE-PASSED"/>')
