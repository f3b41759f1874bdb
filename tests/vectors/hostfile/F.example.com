# Host example.com found: line 2 
example.com,192.0.2.10 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILB8YUUxfGwls9skQK9ts9R02+CxqwQSlyvg7C9AMyHW
# Host example.com found: line 12 
other,example.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDF6RIr9eqW7AIsI/kIEf5R8XrbdD6SX48qQGn7y068/ll+mzaLdk9QGdp/vXWKGa7I0sSCoInrshh335kooSiVnPuZ/dAzJGb0cZIZm/arnA1AfxEXO1xyLeDN9h4SgaFPIbXIARfCefPLfTn1fxVM1p2cgoz4Ob0quAPwpCh+6Q==
